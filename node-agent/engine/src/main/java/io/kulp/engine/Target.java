package io.kulp.engine;

import io.kulp.elf.ElfSymbol;
import io.kulp.host.LibraryLookup;
import io.kulp.host.LoadedObject;
import io.kulp.host.MappedFiles;
import io.kulp.host.ProcessMaps;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's read of a process with kulp's runtime: its maps, where its {@code kulp_abi} lives,
 * the runtime's state, its helper thread, and the patches it has applied. Reading it stops
 * nothing. An operation starts from such a read and reads the maps and the patch table no more;
 * what may have changed since (a patch applied by someone else) the runtime checks itself.
 */
public final class Target implements ProcessState {
  /** How long a runtime that is still starting (a process just started, or forked) is waited for. */
  private static final long STARTING_NANOS = 500_000_000L;

  final ProcessMaps maps;
  private final MappedFiles files;
  final long abi;
  final RuntimeState state;
  final int helperTid;
  private final List<AppliedPatch> patches;
  /** Libraries looked up in this read, by name. */
  private final Map<String, LibraryLookup> found = new ConcurrentHashMap<>();

  private Target(ProcessMaps maps, MappedFiles files, long abi, RuntimeState state, int helperTid,
      List<AppliedPatch> patches) {
    this.maps = maps;
    this.files = files;
    this.abi = abi;
    this.state = state;
    this.helperTid = helperTid;
    this.patches = patches;
  }

  @Override
  public int pid() {
    return maps.pid();
  }

  @Override
  public String name() {
    return maps.name();
  }

  public ProcessMaps maps() {
    return maps;
  }

  /**
   * What keeps live patching out of this process (a LIBPULP_DISABLE_ON_* variable its runtime read
   * at load, or ulp set_patchable disable); empty when live patching is on.
   */
  public java.util.Optional<String> disabledBy() {
    return java.util.Optional.ofNullable(state.disabledBy());
  }

  @Override
  public List<AppliedPatch> patches() {
    return patches;
  }

  @Override
  public LibraryLookup find(String library) throws IOException {
    // The agent asks before it decides, the engine again before it sends: answer from one lookup.
    LibraryLookup lookup = found.get(library);
    if (lookup == null) {
      lookup = maps.find(library, files);
      found.put(library, lookup);
    }
    return lookup;
  }

  /** Reads process {@code pid}; fails with a message naming the cause and the fix. */
  static Target read(Path procRoot, int pid, MappedFiles files) throws EngineException {
    ProcessMaps maps;
    try {
      maps = ProcessMaps.read(procRoot, pid);
    } catch (NoSuchFileException e) {
      throw EngineException.gone(pid);
    } catch (AccessDeniedException e) {
      throw EngineException.failed(Permissions.deniedMessage(pid));
    } catch (IOException e) {
      throw EngineException.failed("cannot read the memory map of process " + pid + ": " + e.getMessage());
    }
    if (maps.isEmpty()) {
      throw EngineException.failed("process " + pid + " has no memory map (a kernel thread or a zombie)");
    }
    Optional<LoadedObject> runtime = maps.runtime();
    if (runtime.isEmpty()) {
      throw EngineException.skipped(Reason.NO_RUNTIME, ProcessMaps.RUNTIME + " is not loaded in process " + pid + " ("
          + maps.name() + "): start it with LD_PRELOAD=" + RuntimeLibrary.suggestedPath() + " to make it live-patchable");
    }
    long abi = abiAddress(maps, runtime.get(), files);
    try (ProcessMemory memory = new ProcessMemory(maps.via(), procRoot)) {
      RuntimeState state = RuntimeState.decode(memory.read(abi, Abi.HEADER_LEN));
      for (long until = System.nanoTime() + STARTING_NANOS; state.state() != Abi.STATE_READY
          && state.state() != Abi.STATE_NO_HELPER && System.nanoTime() - until < 0;) {
        LockSupport.parkNanos(1_000_000);
        state = RuntimeState.decode(memory.read(abi, Abi.HEADER_LEN));
      }
      if (state.otherVersion()) {
        throw EngineException.skipped(Reason.OTHER_RUNTIME_VERSION, "process " + pid + ": " + state.versionProblem());
      }
      String problem = state.problem();
      if (problem != null) {
        throw EngineException.failed("process " + pid + ": " + problem);
      }
      if (state.state() == Abi.STATE_NO_HELPER) {
        throw EngineException.failed("process " + pid + ": the kulp helper thread could not start (see `ulp messages -p "
            + pid + "`); restart the process to make it patchable");
      }
      if (state.state() != Abi.STATE_READY) {
        throw EngineException.failed("process " + pid + ": the kulp runtime is still starting; retry");
      }
      int helper = HelperThreads.hostTid(maps.entry(), pid, state.helperTid());
      // The header just read says whether there is a table to read at all.
      List<AppliedPatch> patches = state.patches() == 0 ? List.of() : RuntimeReader.patches(memory, abi, pid);
      maps.name(); // read now: results name the process even once it has exited
      return new Target(maps, files, abi, state, helper, patches);
    } catch (NativeError e) {
      if (e.processGone()) {
        throw EngineException.gone(pid);
      }
      if (e.denied()) {
        throw EngineException.failed(Permissions.deniedMessage(pid));
      }
      throw EngineException.failed("cannot read the kulp runtime of process " + pid + ": " + e.getMessage());
    }
  }

  /** Where {@code kulp_abi} is in the process: the symbol's distance from the runtime's first page. */
  private static long abiAddress(ProcessMaps maps, LoadedObject runtime, MappedFiles files) throws EngineException {
    long offset;
    try {
      offset = files.fact(maps.via(), runtime.first(), "kulp_abi", elf -> MappedFiles.unchecked(() -> {
        Optional<ElfSymbol> sym = elf.dynamicSymbol(Abi.SYMBOL);
        return sym.map(s -> s.value() - LoadedObject.firstLoadPage(elf)).orElse(0L);
      }));
    } catch (IOException e) {
      throw EngineException.failed("cannot read " + runtime.path() + " of process " + maps.pid() + ": " + e.getMessage());
    }
    if (offset == 0) {
      throw EngineException.failed(runtime.path() + " in process " + maps.pid() + " exports no " + Abi.SYMBOL
          + ": it is not kulp's runtime");
    }
    return runtime.first().start() + offset;
  }
}
