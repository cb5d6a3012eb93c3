package io.kulp.agent.patch;

import io.kulp.api.v1alpha1.PatchSource;
import java.io.OutputStream;

/** Where a patch file's bytes come from: a ConfigMap key or a URL. */
public interface PatchBytes {

  /**
   * Writes the bytes of the patch file {@code source} names, unverified, to {@code out}; at most
   * {@link KubernetesPatchBytes#MAX_BYTES}, and within {@link KubernetesPatchBytes#DEADLINE}.
   */
  void fetch(PatchSource source, OutputStream out) throws PatchRefused;
}
