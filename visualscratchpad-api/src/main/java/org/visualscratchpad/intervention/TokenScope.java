package org.visualscratchpad.intervention;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * Which rows of a vision crop an intervention edits. Row 0 of a crop is CLS; row {@code k+1} is
 * patch {@code k} (row-major over the crop's patch grid).
 *
 * <p>A tower without a CLS token (SigLIP: LLaVA-OneVision) is addressed the same way, its CLS slot empty:
 * {@link #allTokens()} and {@link #patchesOnly()} both edit every patch, and {@code PatchRef(crop, k)} names
 * patch {@code k}, which is row {@code k} of that crop's {@code SparseActivations}. The backend maps the
 * addresses onto the tower's rows.
 *
 * <pre>{@code
 * jshell> TokenScope.patchesOnly().includes(0, 0)      // CLS of crop 0
 * $1 ==> false
 * jshell> TokenScope.patches(List.of(new PatchRef(0, 4))).includes(0, 5)
 * $2 ==> true
 * }</pre>
 */
public sealed interface TokenScope permits TokenScope.AllTokens, TokenScope.PatchesOnly, TokenScope.ChosenPatches {

  /** Every row of every crop, CLS included. */
  static TokenScope allTokens() {
    return AllTokens.INSTANCE;
  }

  /** Every patch row of every crop; CLS rows untouched. */
  static TokenScope patchesOnly() {
    return PatchesOnly.INSTANCE;
  }

  /** Only the listed patches. */
  static TokenScope patches(List<PatchRef> patches) {
    return new ChosenPatches(patches);
  }

  /**
   * Whether row {@code tokenIndex} of crop {@code crop} is edited.
   *
   * @param crop the crop index (0 for LLaVA-1.5; LLaVA-NeXT: 0 is the base image, then the tiles)
   * @param tokenIndex the row in the crop: 0 is CLS, {@code k+1} is patch {@code k}
   */
  boolean includes(int crop, int tokenIndex);

  /** A short name for printing: {@code all}, {@code patches}, or the chosen patches. */
  String describe();

  /** All rows, CLS included. */
  enum AllTokens implements TokenScope {
    INSTANCE;

    @Override
    public boolean includes(int crop, int tokenIndex) {
      return true;
    }

    @Override
    public String describe() {
      return "all";
    }
  }

  /** Patch rows only (row &gt;= 1). */
  enum PatchesOnly implements TokenScope {
    INSTANCE;

    @Override
    public boolean includes(int crop, int tokenIndex) {
      return tokenIndex >= 1;
    }

    @Override
    public String describe() {
      return "patches";
    }
  }

  /**
   * The listed patches only.
   *
   * @param patches the patches (at least one)
   */
  record ChosenPatches(List<PatchRef> patches) implements TokenScope {
    public ChosenPatches {
      InvalidInputException.check(patches != null && !patches.isEmpty(),
          "chosen patches must name at least one patch; use TokenScope.patchesOnly() for all of them");
      patches = List.copyOf(patches);
    }

    @Override
    public boolean includes(int crop, int tokenIndex) {
      return tokenIndex >= 1 && patches.contains(new PatchRef(crop, tokenIndex - 1));
    }

    @Override
    public String describe() {
      return patches.toString();
    }
  }

  /**
   * One patch of one crop.
   *
   * @param crop the crop index, &gt;= 0
   * @param patchIndex the patch index in the crop's row-major grid, &gt;= 0 (its row is {@code patchIndex + 1})
   */
  record PatchRef(int crop, int patchIndex) {
    public PatchRef {
      InvalidInputException.check(crop >= 0 && patchIndex >= 0,
          "patch (crop %s, patchIndex %s) must have non-negative indices", crop, patchIndex);
    }

    @Override
    public String toString() {
      return crop + ":" + patchIndex;
    }
  }
}
