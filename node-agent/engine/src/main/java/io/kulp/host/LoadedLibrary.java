package io.kulp.host;

import java.util.function.Supplier;

/**
 * A native library that is loaded on first use and then kept. A failure to load it is not kept:
 * the next use tries again, so that the resident engine (docs/design.md, "The resident engine")
 * answers the command that follows the {@code apt-get install} its error asked for, rather than
 * repeating the error until it restarts.
 */
public final class LoadedLibrary<T> {
  private final Supplier<T> loader;
  private T library;

  /** {@code loader} loads the library, or throws {@link UnsatisfiedLinkError}. */
  public LoadedLibrary(Supplier<T> loader) {
    this.loader = loader;
  }

  /** The library, or null if it cannot be loaded now. */
  public synchronized T get() {
    if (library == null) {
      try {
        library = loader.get();
      } catch (UnsatisfiedLinkError e) {
        return null;
      }
    }
    return library;
  }
}
