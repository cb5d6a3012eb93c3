package io.kulp.engine;

import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import io.kulp.host.Mapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unwinds the stacks of a target's stopped threads with libunwind, from the {@code .eh_frame} of
 * each object as the process has it loaded.
 *
 * <p>libunwind's ptrace accessors read memory and registers of a stopped tracee (so every call
 * comes from the thread that seized it), but they find the unwind tables by opening the files
 * named in {@code /proc/PID/maps}, which for a process in a container are other files, or none,
 * in the engine's filesystem. This class replaces that one accessor: the table is the object's
 * {@code PT_GNU_EH_FRAME} segment (its {@code .eh_frame_hdr}), found through the ELF headers in
 * the target's own memory, and handed to libunwind as a remote table. No file is opened.
 *
 * <p>One instance serves one stop of the world: the address space caches what it learned.
 */
final class StackUnwinder implements AutoCloseable {
  private static final int PT_LOAD = 1;
  private static final int PT_GNU_EH_FRAME = 0x6474e550;
  /** {@code DW_EH_PE_datarel | DW_EH_PE_sdata4}: the binary search table's encoding that libunwind reads. */
  private static final int TABLE_ENCODING = 0x3b;
  private static final int MAX_FRAMES = 1024;
  private static final int MAX_PROGRAM_HEADERS = 128;

  /** A thread's frames, innermost first: its instruction pointer, then the return addresses. */
  record Stack(int tid, List<Long> frames, Optional<String> incomplete) {}

  private final Libunwind lib;
  private final ProcessMemory memory;
  private final List<Mapping> mappings;
  private final Memory accessors = new Memory(Libunwind.ACCESSORS_SIZE);
  /** Held here: libunwind keeps only its address. */
  private final Libunwind.FindProcInfo findProcInfo = this::findProcInfo;
  private final Map<Long, Optional<Memory>> tables = new HashMap<>();
  private final Pointer addressSpace;

  StackUnwinder(ProcessMemory memory, List<Mapping> mappings) throws EngineException {
    this.lib = Libunwind.load();
    this.memory = memory;
    this.mappings = mappings;
    accessors.write(0, lib.upt.getByteArray(0, Libunwind.ACCESSORS_SIZE), 0, Libunwind.ACCESSORS_SIZE);
    accessors.setPointer(0, CallbackReference.getFunctionPointer(findProcInfo));
    addressSpace = lib.unwinder._Ux86_64_create_addr_space(accessors, 0);
    if (addressSpace == null) {
      throw EngineException.failed("libunwind could not create an address space");
    }
  }

  /** The frames of stopped thread {@code tid}, or where unwinding stopped short of the stack's start. */
  Stack unwind(int tid) {
    Pointer upt = lib.ptrace._UPT_create(tid);
    if (upt == null) {
      return new Stack(tid, List.of(), Optional.of("libunwind cannot look at it"));
    }
    try (Memory cursor = new Memory(Libunwind.CURSOR_SIZE); Memory info = new Memory(Libunwind.PROC_INFO_SIZE)) {
      List<Long> frames = new ArrayList<>();
      int rc = lib.unwinder._Ux86_64_init_remote(cursor, addressSpace, upt);
      LongByReference ip = new LongByReference();
      while (rc >= 0 && frames.size() < MAX_FRAMES) {
        rc = lib.unwinder._Ux86_64_get_reg(cursor, Libunwind.REG_IP, ip);
        if (rc < 0) {
          break;
        }
        frames.add(ip.getValue());
        // Without unwind information for a frame, libunwind guesses from the frame pointer: the
        // frames found past it would not be proof.
        if (lib.unwinder._Ux86_64_get_proc_info(cursor, info) < 0) {
          return new Stack(tid, frames, Optional.of("no unwind information for its code at "
              + Long.toHexString(ip.getValue())));
        }
        rc = lib.unwinder._Ux86_64_step(cursor);
        if (rc == 0) {
          return new Stack(tid, frames, Optional.empty());
        }
      }
      String at = frames.isEmpty() ? "its first frame" : Long.toHexString(frames.get(frames.size() - 1));
      return new Stack(tid, frames, Optional.of(rc < 0 ? "unwinding stopped at " + at + " (libunwind error " + rc + ")"
          : "more than " + MAX_FRAMES + " frames"));
    } finally {
      lib.ptrace._UPT_destroy(upt);
    }
  }

  /**
   * The bounds of the function whose code holds {@code ip}, from its unwind information (its FDE),
   * read through the stopped thread {@code tid}; empty when it has none.
   */
  Optional<long[]> functionAt(long ip, int tid) {
    Pointer upt = lib.ptrace._UPT_create(tid);
    if (upt == null) {
      return Optional.empty();
    }
    try (Memory info = new Memory(Libunwind.PROC_INFO_SIZE)) {
      info.clear();
      if (lib.unwinder._Ux86_64_get_proc_info_by_ip(addressSpace, ip, info, upt) < 0) {
        return Optional.empty();
      }
      long start = info.getLong(0);
      long end = info.getLong(8);
      return start <= ip && ip < end ? Optional.of(new long[] {start, end}) : Optional.empty();
    } finally {
      lib.ptrace._UPT_destroy(upt);
    }
  }

  /** {@code find_proc_info}: the object's {@code .eh_frame_hdr} table, searched by libunwind. */
  private int findProcInfo(Pointer as, long ip, Pointer procInfo, int needUnwindInfo, Pointer arg) {
    try {
      Optional<Memory> table = tableFor(ip);
      if (table.isEmpty()) {
        return -Libunwind.UNW_ENOINFO;
      }
      return lib.unwinder._Ux86_64_dwarf_search_unwind_table(as, ip, table.get(), procInfo, needUnwindInfo, arg);
    } catch (RuntimeException | Error e) {
      return -Libunwind.UNW_ENOINFO; // never let an exception cross into libunwind
    }
  }

  private Optional<Memory> tableFor(long ip) {
    Mapping m = mappingAt(ip);
    if (m == null) {
      return Optional.empty();
    }
    long base = objectBase(m);
    return tables.computeIfAbsent(base, this::readTable);
  }

  private Mapping mappingAt(long ip) {
    for (Mapping m : mappings) {
      if (Long.compareUnsigned(ip, m.start()) >= 0 && Long.compareUnsigned(ip, m.end()) < 0) {
        return m;
      }
    }
    return null;
  }

  /** Where the object of mapping {@code m} starts: its mapping of file offset 0 (the vDSO is one mapping). */
  private long objectBase(Mapping m) {
    long base = m.start();
    for (Mapping other : mappings) {
      if (other.offset() == 0 && other.path().equals(m.path()) && other.inode() == m.inode()
          && other.device().equals(m.device()) && Long.compareUnsigned(other.start(), m.start()) <= 0) {
        base = other.start(); // the last such mapping below m: the nearest load of that file
      }
    }
    return base;
  }

  /** The object's unwind table as libunwind's {@code unw_dyn_info_t}, from its headers in memory. */
  private Optional<Memory> readTable(long base) {
    try {
      ByteBuffer ehdr = memory.read(base, 64).order(ByteOrder.LITTLE_ENDIAN);
      if (ehdr.getInt(0) != 0x464c457f || ehdr.get(4) != 2) {
        return Optional.empty();
      }
      long phoff = ehdr.getLong(32);
      int phentsize = Short.toUnsignedInt(ehdr.getShort(54));
      int phnum = Short.toUnsignedInt(ehdr.getShort(56));
      if (phentsize < 56 || phnum == 0 || phnum > MAX_PROGRAM_HEADERS) {
        return Optional.empty();
      }
      ByteBuffer ph = memory.read(base + phoff, phentsize * phnum).order(ByteOrder.LITTLE_ENDIAN);
      long bias = 0;
      boolean biasKnown = false;
      long lo = -1;
      long hi = 0;
      long ehVaddr = -1;
      for (int i = 0; i < phnum; i++) {
        int at = i * phentsize;
        int type = ph.getInt(at);
        long offset = ph.getLong(at + 8);
        long vaddr = ph.getLong(at + 16);
        long memsz = ph.getLong(at + 40);
        if (type == PT_LOAD) {
          if (!biasKnown && offset == 0) {
            bias = base - (vaddr & ~0xfffL);
            biasKnown = true;
          }
          lo = lo == -1 ? vaddr : Math.min(lo, vaddr);
          hi = Math.max(hi, vaddr + memsz);
        } else if (type == PT_GNU_EH_FRAME) {
          ehVaddr = vaddr;
        }
      }
      if (!biasKnown || ehVaddr < 0) {
        return Optional.empty();
      }
      long hdr = bias + ehVaddr;
      ByteBuffer h = memory.read(hdr, 12).order(ByteOrder.LITTLE_ENDIAN);
      // version 1; the eh_frame pointer and the FDE count in 4 bytes each, as every toolchain writes them.
      if (h.get(0) != 1 || !fourBytes(h.get(1)) || !fourBytes(h.get(2)) || (h.get(3) & 0xff) != TABLE_ENCODING) {
        return Optional.empty();
      }
      long fdeCount = Integer.toUnsignedLong(h.getInt(8));
      Memory di = new Memory(Libunwind.DYN_INFO_SIZE);
      di.clear();
      di.setLong(16, bias + lo); // start_ip
      di.setLong(24, bias + hi); // end_ip
      di.setInt(40, Libunwind.UNW_INFO_FORMAT_REMOTE_TABLE);
      // load_offset (48) and name_ptr (56) stay 0
      di.setLong(64, hdr); // segbase: the table's entries are relative to the header
      di.setLong(72, fdeCount); // table_len in words: two 4-byte fields per entry
      di.setLong(80, hdr + 12); // table_data
      return Optional.of(di);
    } catch (NativeError | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean fourBytes(byte encoding) {
    int format = encoding & 0x0f;
    return encoding != (byte) 0xff && (format == 0x03 || format == 0x0b);
  }

  @Override
  public void close() {
    lib.unwinder._Ux86_64_destroy_addr_space(addressSpace);
    tables.values().forEach(t -> t.ifPresent(Memory::close));
    accessors.close(); // the address space held a copy of it
  }
}
