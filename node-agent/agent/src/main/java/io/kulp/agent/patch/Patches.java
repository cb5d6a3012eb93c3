package io.kulp.agent.patch;

import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.PatchSource;

/** Where the agent gets the patches its LivePatchNodes name, verified; {@link PatchStore} is the real one. */
public interface Patches {

  /**
   * The patch {@code source} names, for {@code library} (may be null: any library the patch names).
   *
   * @throws PatchRefused when it cannot be had yet ({@code fetch}), or never will ({@code sha256},
   *     {@code metadata})
   */
  VerifiedPatch get(PatchSource source, LibrarySpec library) throws PatchRefused;
}
