package io.kulp.host;

import io.kulp.elf.BuildId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One read of a process's memory map, through the procfs entry that shows it (see
 * {@link ProcessEntry}), and what the map tells without touching the process: whether kulp's
 * runtime is loaded, and which file a target library is, found the way the runtime finds it.
 * The engine and the node agent read a process through this class only, once per operation.
 */
public final class ProcessMaps {
  /** The runtime's file name; a versioned {@code libpulp.so.N} is the runtime too. */
  public static final String RUNTIME = "libpulp.so";

  private final int pid;
  private final Path entry;
  /** Read on first use: a scan for the runtime over every process never needs it. */
  private volatile String name;
  private final List<Mapping> mappings;

  private ProcessMaps(int pid, Path entry, List<Mapping> mappings) {
    this.pid = pid;
    this.entry = entry;
    this.mappings = mappings;
  }

  /**
   * Reads the maps of {@code pid} under {@code procRoot}. Throws
   * {@link java.nio.file.NoSuchFileException} once the process is gone and
   * {@link java.nio.file.AccessDeniedException} without the right to read it.
   */
  public static ProcessMaps read(Path procRoot, int pid) throws IOException {
    ProcessEntry.Seen<List<Mapping>> seen = ProcessEntry.read(procRoot, pid, Mapping::read, List::isEmpty);
    return new ProcessMaps(pid, seen.entry(), List.copyOf(seen.value()));
  }

  /** The process's command name ({@code /proc/PID/comm}), or "?" once it is gone. */
  public static String commandName(Path entry) {
    try {
      return Files.readString(entry.resolve("comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  /** Whether a mapped file's name is kulp's runtime. */
  public static boolean isRuntime(String basename) {
    return basename.equals(RUNTIME) || basename.startsWith(RUNTIME + ".");
  }

  public int pid() {
    return pid;
  }

  /** The procfs entry the process was read through: {@code /proc/PID}, or a live thread's. */
  public Path entry() {
    return entry;
  }

  /** That entry's number: the PID, or the TID of a live thread once the main thread has exited. */
  public int via() {
    return Integer.parseInt(entry.getFileName().toString());
  }

  /** The command name, read once ("?" when the process was gone by then). */
  public String name() {
    if (name == null) {
      name = commandName(entry);
    }
    return name;
  }

  public List<Mapping> mappings() {
    return mappings;
  }

  /** No mappings: a kernel thread, or a zombie. */
  public boolean isEmpty() {
    return mappings.isEmpty();
  }

  /** kulp's runtime, when it is loaded. */
  public Optional<LoadedObject> runtime() {
    return LoadedObject.find(mappings, ProcessMaps::isRuntime);
  }

  /**
   * Finds {@code library} as the runtime will: by the basename of a mapped file, or by the SONAME
   * of a mapped shared object whose file has a longer name ({@code libfoo.so.1 ->
   * libfoo.so.1.2.3}). ELF facts come from {@code files}, cached per file.
   */
  public LibraryLookup find(String library, MappedFiles files) throws IOException {
    Optional<LoadedObject> found = LoadedObject.find(mappings, library::equals);
    for (int i = 0; found.isEmpty() && i < mappings.size(); i++) {
      Mapping m = mappings.get(i);
      if (m.offset() == 0 && m.inode() != 0 && m.basename().contains(".so")
          && library.equals(files.fact(via(), m, "soname", elf -> MappedFiles.unchecked(() -> elf.soname().orElse(""))))) {
        found = Optional.of(new LoadedObject(m.path(), m.basename(), m));
      }
    }
    if (found.isEmpty()) {
      return new LibraryLookup.NotLoaded(library);
    }
    String hex = files.fact(via(), found.get().first(), "build-id",
        elf -> MappedFiles.unchecked(() -> elf.buildId().map(BuildId::hex).orElse("")));
    return new LibraryLookup.Loaded(found.get(), hex.isEmpty() ? Optional.empty() : Optional.of(BuildId.ofHex(hex)));
  }
}
