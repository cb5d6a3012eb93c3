package io.kulp.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A request for the runtime's mailbox (struct kulp_request), minus its seq, its flags and its
 * deadline: the {@link HelperChannel} that posts it adds those, because they belong to the
 * conversation with one process (how it may write code, until when), not to what is asked.
 */
record Request(int command, byte[] patchId, String library, String path, byte[] metadata, boolean consistent) {
  static final int PING = 1;
  static final int APPLY = 2;
  static final int REVERT = 3;
  static final int REVERT_ALL = 4;
  static final int REVERT_ALL_APPLY = 5;
  static final int COMMIT = 6;
  static final int ABORT = 7;

  static final int FLAG_SELF_WRITE = 1;
  /** The filter could not be read: the runtime may ask it in a throwaway child (runtime-c/src/probe.c). */
  static final int FLAG_PROBE_WRITE = 2;
  /** The consistency check: the runtime answers PLANNED and changes nothing before the COMMIT. */
  static final int FLAG_CONSISTENT = 4;

  Request(int command, byte[] patchId, String library, String path, byte[] metadata) {
    this(command, patchId, library, path, metadata, false);
  }

  static Request of(int command) {
    return new Request(command, null, null, null, null);
  }

  /** The same request with the consistency check. */
  Request withConsistencyCheck() {
    return new Request(command, patchId, library, path, metadata, true);
  }

  /**
   * The bytes from {@code command} (offset 4) up to the end of the metadata in use: what one
   * process_vm_writev puts in the mailbox before the seq is bumped.
   *
   * @param flags how the runtime may write code in this process ({@link #FLAG_SELF_WRITE})
   * @param deadlineNs the target's CLOCK_MONOTONIC time after which it must change nothing
   */
  byte[] body(int flags, long deadlineNs) throws EngineException {
    int len = Abi.REQ_METADATA + (metadata == null ? 0 : metadata.length);
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(Abi.REQ_COMMAND, command);
    b.putInt(Abi.REQ_FLAGS, consistent ? flags | FLAG_CONSISTENT : flags);
    b.putInt(Abi.REQ_METADATA_LEN, metadata == null ? 0 : metadata.length);
    b.putLong(Abi.REQ_DEADLINE, deadlineNs);
    if (patchId != null) {
      b.put(Abi.REQ_PATCH_ID, patchId, 0, Abi.ID_LEN);
    }
    putString(b, Abi.REQ_LIBRARY, Abi.NAME_MAX, library, "library name");
    putString(b, Abi.REQ_PATH, Abi.PATH_MAX, path, "patch path");
    if (metadata != null) {
      if (metadata.length > Abi.METADATA_MAX) {
        throw EngineException.failed(".ulp section of " + metadata.length + " bytes exceeds the runtime's limit of "
            + Abi.METADATA_MAX);
      }
      b.put(Abi.REQ_METADATA, metadata);
    }
    byte[] all = b.array();
    byte[] fromCommand = new byte[all.length - Abi.REQ_COMMAND];
    System.arraycopy(all, Abi.REQ_COMMAND, fromCommand, 0, fromCommand.length);
    return fromCommand;
  }

  private static void putString(ByteBuffer b, int offset, int max, String s, String what) throws EngineException {
    if (s == null) {
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length >= max) {
      throw EngineException.failed(what + " is longer than the runtime accepts (" + (max - 1) + " bytes): " + s);
    }
    b.put(offset, bytes);
  }
}
