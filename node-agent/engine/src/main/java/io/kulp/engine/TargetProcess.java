package io.kulp.engine;

import io.kulp.elf.ElfSymbol;
import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A process with the kulp runtime loaded, located once per operation: its maps, where kulp_abi
 * lives, and its helper thread's host TID. Finding it reads /proc and memory only.
 *
 * <p>{@link #procPid} is the /proc entry the process is read through: {@code /proc/PID}, or,
 * once the main thread has exited while other threads live on, {@code /proc/TID} of a live
 * thread (see {@link io.kulp.host.ProcessEntry}). {@link #via} is that entry's number.
 */
final class TargetProcess implements AutoCloseable {
  private static final String RUNTIME = "libpulp.so";

  final int pid;
  final int via;
  final Path procPid;
  final String name;
  final List<Mapping> maps;
  final ProcessMemory memory;
  final long abi;
  final RuntimeState state;
  final int helperTid;

  private TargetProcess(int pid, int via, Path procPid, String name, List<Mapping> maps, ProcessMemory memory, long abi,
      RuntimeState state, int helperTid) {
    this.pid = pid;
    this.via = via;
    this.procPid = procPid;
    this.name = name;
    this.maps = maps;
    this.memory = memory;
    this.abi = abi;
    this.state = state;
    this.helperTid = helperTid;
  }

  static String commandName(Path procPid) {
    try {
      return Files.readString(procPid.resolve("comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  /** Finds the runtime in process {@code pid}; fails with a message naming the cause and the fix. */
  static TargetProcess open(int pid, Path procRoot, MappedFiles files) throws EngineException {
    Path procPid = procRoot.resolve(Integer.toString(pid));
    if (!Files.isDirectory(procPid)) {
      throw EngineException.failed("no such process: " + pid);
    }
    String name = commandName(procPid);
    ProcessEntry.Seen<List<Mapping>> seen;
    try {
      seen = Mapping.ofProcess(procRoot, pid);
    } catch (NoSuchFileException e) {
      throw EngineException.failed("no such process: " + pid + " (it exited)");
    } catch (AccessDeniedException e) {
      throw EngineException.failed(Permissions.deniedMessage(pid));
    } catch (IOException e) {
      throw EngineException.failed("cannot read the memory map of process " + pid + ": " + e.getMessage());
    }
    procPid = seen.entry();
    List<Mapping> maps = seen.value();
    if (maps.isEmpty()) {
      throw EngineException.failed("process " + pid + " has no memory map (a kernel thread or a zombie)");
    }
    Optional<LoadedObject> runtime = LoadedObject.find(maps, n -> n.equals(RUNTIME) || n.startsWith("libpulp.so."));
    if (runtime.isEmpty()) {
      throw EngineException.noRuntime(RUNTIME + " is not loaded in process " + pid + " (" + name + "): start it with "
          + "LD_PRELOAD=" + RuntimeLibrary.suggestedPath() + " to make it live-patchable");
    }
    int via = seen.via();
    long abi;
    try {
      abi = files.fact(via, runtime.get().first(), "kulp_abi", elf -> MappedFiles.unchecked(() -> {
        Optional<ElfSymbol> sym = elf.dynamicSymbol(Abi.SYMBOL);
        // Position-independent: the symbol's distance from the file's first loaded page.
        return sym.map(s -> s.value() - LoadedObject.firstLoadPage(elf)).orElse(null);
      }));
    } catch (IOException e) {
      throw EngineException.failed("cannot read " + runtime.get().path() + " of process " + pid + ": " + e.getMessage());
    }
    if (abi == 0) {
      throw EngineException.failed(runtime.get().path() + " in process " + pid + " exports no " + Abi.SYMBOL
          + ": it is not kulp's runtime");
    }
    abi += runtime.get().first().start();
    ProcessMemory memory = new ProcessMemory(via, procRoot);
    try {
      RuntimeState state = RuntimeState.decode(memory.read(abi, Abi.HEADER_LEN));
      // A process that has just started (or forked) may still be starting its helper.
      for (long until = System.nanoTime() + 500_000_000L; state.state() != Abi.STATE_READY
          && state.state() != Abi.STATE_NO_HELPER && System.nanoTime() - until < 0;) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        state = RuntimeState.decode(memory.read(abi, Abi.HEADER_LEN));
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
        throw new EngineException(Outcome.FAILED, "process " + pid + ": the kulp runtime is still starting; retry");
      }
      int helper = HelperThreads.hostTid(procPid, state.helperTid());
      return new TargetProcess(pid, via, procPid, name, maps, memory, abi, state, helper);
    } catch (NativeError e) {
      memory.close();
      if (e.processGone()) {
        throw EngineException.failed("no such process: " + pid + " (it exited)");
      }
      if (e.denied()) {
        throw EngineException.failed(Permissions.deniedMessage(pid));
      }
      throw EngineException.failed("cannot read the kulp runtime of process " + pid + ": " + e.getMessage());
    } catch (EngineException e) {
      memory.close();
      throw e;
    }
  }

  ProcessMemory memory() {
    return memory;
  }

  @Override
  public void close() {
    memory.close();
  }
}
