package io.kulp.agent.patch;

import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.patch.AtomicFile;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchException;
import io.kulp.patch.PatchMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets the patch a LivePatchNode names, verified: fetched once per digest, checked against
 * {@code sha256} before anything else is done with the bytes, kept in the cache directory under
 * its digest, and checked against the spec's library (name, and build-id when set). A file in the
 * cache is checked again when read, so a damaged cache entry is fetched anew, never used.
 */
public final class PatchStore implements Patches {
  private final PatchBytes source;
  private final Path cacheDir;
  private final Map<String, VerifiedPatch> verified = new ConcurrentHashMap<>();

  public PatchStore(PatchBytes source, Path cacheDir) {
    this.source = source;
    this.cacheDir = cacheDir;
  }

  @Override
  public VerifiedPatch get(PatchSource spec, LibrarySpec library) throws PatchRefused {
    String want = spec.sha256;
    VerifiedPatch patch = verified.get(want);
    if (patch == null) {
      patch = load(spec);
      verified.put(want, patch);
    }
    checkLibrary(patch, library);
    return patch;
  }

  private VerifiedPatch load(PatchSource spec) throws PatchRefused {
    String want = spec.sha256;
    Path cached = cacheDir.resolve(want + ".so");
    byte[] bytes = null;
    try {
      if (Files.isRegularFile(cached)) {
        byte[] onDisk = Files.readAllBytes(cached);
        if (Sha256.of(onDisk).equals(want)) {
          bytes = onDisk;
        }
      }
    } catch (IOException unreadable) {
      // fetched anew below
    }
    if (bytes == null) {
      bytes = source.fetch(spec);
      String got = Sha256.of(bytes);
      if (!got.equals(want)) {
        throw new PatchRefused("sha256", "patch refused: its sha256 is " + got + ", but spec.patch.sha256 is " + want
            + "; nothing was injected (publish the right file, or correct sha256)");
      }
      cached = store(want, bytes);
    }
    try {
      return new VerifiedPatch(want, PatchContainer.read(cached));
    } catch (PatchException e) {
      throw new PatchRefused("metadata", "patch refused: " + e.getMessage());
    } catch (IOException e) {
      throw new PatchRefused("fetch", "cannot read the cached patch " + cached + ": " + e.getMessage());
    }
  }

  private Path store(String digest, byte[] bytes) throws PatchRefused {
    try {
      Files.createDirectories(cacheDir);
      Path target = cacheDir.resolve(digest + ".so");
      AtomicFile.write(target, bytes); // mode 0600, and never seen half-written
      return target;
    } catch (IOException e) {
      throw new PatchRefused("fetch", "cannot write the patch cache " + cacheDir + ": " + e.getMessage());
    }
  }

  private static void checkLibrary(VerifiedPatch patch, LibrarySpec library) throws PatchRefused {
    PatchMetadata meta = patch.container().apply();
    if (library == null) {
      return;
    }
    if (library.name != null && !library.name.equals(meta.targetLibrary())) {
      throw new PatchRefused("metadata", "patch refused: it is for " + meta.targetLibrary()
          + ", but spec.library.name is " + library.name);
    }
    if (library.buildID != null && !library.buildID.equals(meta.targetBuildId().hex())) {
      throw new PatchRefused("metadata", "patch refused: it is for build-id " + meta.targetBuildId().hex()
          + " of " + meta.targetLibrary() + ", but spec.library.buildID is " + library.buildID);
    }
  }
}
