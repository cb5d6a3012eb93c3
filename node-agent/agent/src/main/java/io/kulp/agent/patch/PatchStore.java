package io.kulp.agent.patch;

import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.patch.AtomicFile;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchException;
import io.kulp.patch.PatchMetadata;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Gets the patch a LivePatchNode names, verified: fetched once per digest straight into a
 * temporary file of the cache directory, checked against {@code sha256} before anything else is
 * done with it, then renamed to its digest's name, and checked against the spec's library (name,
 * and build-id when set). The bytes are never held in memory: the agent remembers, for at most
 * {@link #REMEMBERED} digests, the validated metadata and the cache file's identity, and whoever
 * stages the file checks its digest again while copying it. A cache file that is not as verified
 * (another size, time or inode, or other bytes when read again) is fetched anew, never used.
 */
public final class PatchStore implements Patches {
  /** Verified patches whose metadata is remembered; others are read from the cache again. */
  static final int REMEMBERED = 32;

  private final PatchBytes source;
  private final Path cacheDir;
  private final Map<String, Remembered> verified = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
      return size() > REMEMBERED;
    }
  };

  /** A verified patch and the identity of its cache file when it was verified. */
  private record Remembered(VerifiedPatch patch, Object fileKey, long size, long modified) {}

  public PatchStore(PatchBytes source, Path cacheDir) {
    this.source = source;
    this.cacheDir = cacheDir;
  }

  @Override
  public VerifiedPatch get(PatchSource spec, LibrarySpec library) throws PatchRefused {
    String want = spec.sha256;
    if (!Sha256.isHex(want)) {
      throw new PatchRefused("sha256", "patch refused: spec.patch.sha256 is not a sha256 digest (64 lowercase"
          + " hexadecimal characters); nothing was fetched");
    }
    VerifiedPatch patch = remembered(want);
    if (patch == null) {
      patch = load(spec);
    }
    checkLibrary(patch, library);
    return patch;
  }

  /** The patch verified earlier, if its cache file is still the one verified. */
  private synchronized VerifiedPatch remembered(String digest) {
    Remembered r = verified.get(digest);
    if (r == null) {
      return null;
    }
    try {
      BasicFileAttributes now = Files.readAttributes(r.patch().file(), BasicFileAttributes.class);
      if (Objects.equals(now.fileKey(), r.fileKey()) && now.size() == r.size()
          && now.lastModifiedTime().toMillis() == r.modified()) {
        return r.patch();
      }
    } catch (IOException gone) {
      // fetched anew
    }
    verified.remove(digest);
    return null;
  }

  private VerifiedPatch load(PatchSource spec) throws PatchRefused {
    String want = spec.sha256;
    Path cached = cacheDir.resolve(want + ".so");
    if (!want.equals(digestOf(cached))) {
      fetch(spec, cached);
    }
    try {
      BasicFileAttributes attrs = Files.readAttributes(cached, BasicFileAttributes.class);
      VerifiedPatch patch = new VerifiedPatch(want, PatchContainer.read(cached));
      synchronized (this) {
        verified.put(want, new Remembered(patch, attrs.fileKey(), attrs.size(), attrs.lastModifiedTime().toMillis()));
      }
      return patch;
    } catch (PatchException e) {
      throw new PatchRefused("metadata", "patch refused: " + e.getMessage());
    } catch (IOException e) {
      throw new PatchRefused("fetch", "cannot read the cached patch " + cached + ": " + e.getMessage());
    }
  }

  /** Fetches the patch into a temporary file, and renames it to {@code cached} if it has the digest wanted. */
  private void fetch(PatchSource spec, Path cached) throws PatchRefused {
    String want = spec.sha256;
    Path tmp;
    try {
      Files.createDirectories(cacheDir);
      tmp = AtomicFile.temporaryFor(cached, ".part"); // mode 0600
    } catch (IOException e) {
      throw new PatchRefused("fetch", "cannot write the patch cache " + cacheDir + ": " + e.getMessage());
    }
    try {
      MessageDigest sha = sha256();
      try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)), sha)) {
        source.fetch(spec, out);
      } catch (IOException e) {
        throw new PatchRefused("fetch", "cannot write the patch cache " + cacheDir + ": " + e.getMessage());
      }
      String got = HexFormat.of().formatHex(sha.digest());
      if (!got.equals(want)) {
        throw new PatchRefused("sha256", "patch refused: its sha256 is " + got + ", but spec.patch.sha256 is " + want
            + "; nothing was injected (publish the right file, or correct sha256)");
      }
      AtomicFile.replace(tmp, cached); // synced, and never seen half-written
    } catch (IOException e) {
      throw new PatchRefused("fetch", "cannot write the patch cache " + cacheDir + ": " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // renamed, or left for the next fetch to replace
      }
    }
  }

  /** The sha256 of the file {@code path}, read in pieces; null when it cannot be read. */
  private static String digestOf(Path path) {
    if (!Files.isRegularFile(path)) {
      return null;
    }
    MessageDigest sha = sha256();
    byte[] chunk = new byte[64 << 10];
    try (InputStream in = Files.newInputStream(path)) {
      for (int n; (n = in.read(chunk)) > 0; ) {
        sha.update(chunk, 0, n);
      }
    } catch (IOException unreadable) {
      return null;
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
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
