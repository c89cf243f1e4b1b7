package org.visualscratchpad.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bin/vsp jshell}'s startup script imports what the README's JShell snippets use. */
class JshellScriptTest {

  @Test
  void the_startup_script_imports_resolve_and_include_session() throws Exception {
    List<String> imports = Files.readAllLines(Path.of("jshell/visualscratchpad.jsh")).stream()
        .filter(l -> l.startsWith("import ")).map(l -> l.substring(7, l.length() - 1).strip()).toList();
    assertTrue(imports.contains("org.visualscratchpad.sae.session.Session"), "Session is imported: " + imports);
    for (String i : imports) {
      if (i.endsWith(".*")) {
        String pkg = i.substring(0, i.length() - 2);
        assertTrue(Thread.currentThread().getContextClassLoader().getDefinedPackage(pkg) != null
            || ClassLoader.getSystemClassLoader().getResource(pkg.replace('.', '/')) != null, "package " + pkg);
      } else {
        Class.forName(i);
      }
    }
  }
}
