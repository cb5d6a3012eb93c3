package io.kulp.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one real node of a test run, shared by the real-node test classes: the first class brings it
 * up with kulp installed and imports the auth-service images; JUnit closes it (node-down, when it
 * was started here) once every class has run, because it lives in the root context's store.
 */
final class SharedRealNode implements BeforeAllCallback {
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(SharedRealNode.class);
  private static RealNode node;

  @Override
  public void beforeAll(ExtensionContext context) {
    node = context.getRoot().getStore(STORE).getOrComputeIfAbsent(RealNode.class, k -> up(), RealNode.class);
  }

  /** The node; only after {@link #beforeAll}. */
  static RealNode node() {
    return node;
  }

  private static RealNode up() {
    Path repo = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
    RealNode up = RealNode.upWithKulp(repo);
    boolean imported = false;
    try {
      up.importImages(AuthServiceImage.write(repo, Files.createDirectories(Path.of("target", "e2e-images"))));
      imported = true;
      return up;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!imported) {
        up.close();
      }
    }
  }
}
