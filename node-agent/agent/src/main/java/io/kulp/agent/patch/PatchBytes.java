package io.kulp.agent.patch;

import io.kulp.api.v1alpha1.PatchSource;

/** Where a patch file's bytes come from: a ConfigMap key or a URL. */
public interface PatchBytes {

  /** The bytes of the patch file {@code source} names, unverified. */
  byte[] fetch(PatchSource source) throws PatchRefused;
}
