// VisualScratchpad JShell startup: opened by `bin/vsp jshell` with the class path, the Vector API
// module and -Dai.djl.offline=true already set.
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.*;
import org.visualscratchpad.sae.*;
import org.visualscratchpad.scratchpad.*;
import org.visualscratchpad.sae.session.Session;
import org.visualscratchpad.tensor.FloatMatrix;
System.out.println("VisualScratchpad: try  var pad = Scratchpad.load(Path.of(MODEL_DIR), Path.of(SAE_DIR));");
