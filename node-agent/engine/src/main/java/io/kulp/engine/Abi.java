package io.kulp.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The layout of {@code runtime-c/include/kulp.h}, which the engine reads and writes in a target's
 * memory. AbiLayoutTest compares every value here, and the codes {@link Request} and {@link
 * Response} mirror, with what the C compiler says.
 */
final class Abi {
  private Abi() {}

  static final String SYMBOL = "kulp_abi";
  static final int MAGIC = 0x504c554b;
  static final int VERSION = 1;

  static final int MAX_PATCHES = 128;
  static final int MAX_FUNCS = 1024;
  static final int MAX_CHECKS = 256;
  static final int MAX_WRITES = 512;
  static final int METADATA_MAX = 65536;
  static final int RING_SIZE = 64;
  static final int ID_LEN = 16;
  static final int NAME_MAX = 128;
  static final int PATH_MAX = 1024;

  // struct kulp_abi
  static final int MAGIC_OFF = 0;
  static final int VERSION_OFF = 4;
  static final int SIZE_OFF = 8;
  static final int STATE_OFF = 12;
  static final int HELPER_TID_OFF = 16;
  static final int N_PATCHES_OFF = 20;
  static final int N_FUNCS_OFF = 24;
  static final int DISABLED_OFF = 28;
  static final int GENERATION_OFF = 32;
  static final int MESSAGE_HEAD_OFF = 40;
  static final int MAILBOX_OFF = 48;
  static final int PATCHES_OFF = 102104;
  static final int FUNCS_OFF = 287448;
  static final int RING_OFF = 574168;
  static final int ABI_SIZE = 606424;
  /** The fields before the mailbox: what {@link RuntimeState} decodes. */
  static final int HEADER_LEN = MAILBOX_OFF;

  static final int STATE_READY = 1;
  static final int STATE_NO_HELPER = 2;

  // enum kulp_disabled: libpulp's LIBPULP_DISABLE_ON_* switch that matched, 0 when none did
  static final int DISABLED_ON_PATH = 1;
  static final int DISABLED_ON_USERS = 2;
  static final int DISABLED_ON_GROUPS = 3;
  static final int DISABLED_BY_ULP = 4;

  // enum kulp_level, of the message ring
  static final int LEVEL_WARN = 1;
  static final int LEVEL_ERROR = 2;

  // struct kulp_request, from the mailbox
  static final int REQUEST_OFF = MAILBOX_OFF;
  static final int REQ_SEQ = 0;
  static final int REQ_COMMAND = 4;
  static final int REQ_FLAGS = 8;
  static final int REQ_METADATA_LEN = 12;
  static final int REQ_DEADLINE = 16;
  static final int REQ_PATCH_ID = 24;
  static final int REQ_LIBRARY = 40;
  static final int REQ_PATH = 168;
  static final int REQ_METADATA = 1192;
  static final int REQUEST_SIZE = 66728;

  // struct kulp_response
  static final int RESPONSE_OFF = MAILBOX_OFF + REQUEST_SIZE;
  static final int RESP_SEQ = 0;
  static final int RESP_PHASE = 4;
  static final int RESP_STATUS = 8;
  static final int RESP_N_CHECKS = 12;
  static final int RESP_N_WRITES = 16;
  static final int RESP_N_FORBIDDEN = 20;
  static final int RESP_APPLIED = 24;
  static final int RESP_CHECKS = 32;
  static final int RESP_WRITES = 2080;
  static final int RESP_FORBIDDEN = 26656;
  static final int RESP_MESSAGE = 34848;
  static final int RESPONSE_SIZE = 35328;
  static final int MESSAGE_MAX = 480;

  // struct kulp_write, an element of the response's writes[]
  static final int WRITE_ADDR = 0;
  static final int WRITE_LEN = 8;
  static final int WRITE_LIVE = 12;
  static final int WRITE_BYTES = 16;
  static final int WRITE_EXPECT = 32;
  static final int WRITE_MAX_LEN = 16;
  static final int WRITE_SIZE = 48;

  // struct kulp_range, an element of the response's forbidden[]
  static final int RANGE_START = 0;
  static final int RANGE_END = 8;
  static final int RANGE_SIZE = 16;

  // struct kulp_patch_record
  static final int PATCH_ID = 0;
  static final int PATCH_FIRST_FUNC = 16;
  static final int PATCH_N_FUNCS = 20;
  static final int PATCH_APPLIED_NS = 24;
  static final int PATCH_ORDER = 32;
  static final int PATCH_LIBRARY = 40;
  static final int PATCH_PATH = 168;
  static final int PATCH_LABELS = 1192;
  static final int PATCH_SIZE = 1448;

  // struct kulp_func_record
  static final int FUNC_OLD_ADDR = 0;
  static final int FUNC_NEW_ADDR = 8;
  static final int FUNC_PATCH = 16;
  static final int FUNC_ACTIVE = 20;
  static final int FUNC_OLD_NAME = 24;
  static final int FUNC_NEW_NAME = 152;
  static final int FUNC_SIZE = 280;

  // struct kulp_message
  static final int MSG_SEQ = 0;
  static final int MSG_TIME = 8;
  static final int MSG_LEVEL = 16;
  static final int MSG_TEXT = 24;
  static final int MSG_SIZE = 504;

  /**
   * Every value above, and the codes of {@link Request} and {@link Response}, under its C name, as
   * runtime-c/tests/abi_offsets prints them.
   */
  static Map<String, Object> layout() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("KULP_ABI_SYMBOL", SYMBOL);
    m.put("KULP_ABI_MAGIC", (long) MAGIC);
    m.put("KULP_ABI_VERSION", (long) VERSION);
    m.put("KULP_MAX_PATCHES", (long) MAX_PATCHES);
    m.put("KULP_MAX_FUNCS", (long) MAX_FUNCS);
    m.put("KULP_MAX_CHECKS", (long) MAX_CHECKS);
    m.put("KULP_MAX_WRITES", (long) MAX_WRITES);
    m.put("KULP_METADATA_MAX", (long) METADATA_MAX);
    m.put("KULP_RING_SIZE", (long) RING_SIZE);
    m.put("KULP_ID_LEN", (long) ID_LEN);
    m.put("KULP_NAME_MAX", (long) NAME_MAX);
    m.put("KULP_PATH_MAX", (long) PATH_MAX);
    m.put("KULP_MESSAGE_MAX", (long) MESSAGE_MAX);
    m.put("KULP_CMD_PING", (long) Request.PING);
    m.put("KULP_CMD_APPLY", (long) Request.APPLY);
    m.put("KULP_CMD_REVERT", (long) Request.REVERT);
    m.put("KULP_CMD_REVERT_ALL", (long) Request.REVERT_ALL);
    m.put("KULP_CMD_REVERT_ALL_APPLY", (long) Request.REVERT_ALL_APPLY);
    m.put("KULP_CMD_COMMIT", (long) Request.COMMIT);
    m.put("KULP_CMD_ABORT", (long) Request.ABORT);
    m.put("KULP_REQ_SELF_WRITE", (long) Request.FLAG_SELF_WRITE);
    m.put("KULP_REQ_PROBE_WRITE", (long) Request.FLAG_PROBE_WRITE);
    m.put("KULP_REQ_CONSISTENT", (long) Request.FLAG_CONSISTENT);
    m.put("KULP_PHASE_IDLE", (long) Response.IDLE);
    m.put("KULP_PHASE_WORKING", (long) Response.WORKING);
    m.put("KULP_PHASE_COMMITTING", (long) Response.COMMITTING);
    m.put("KULP_PHASE_DONE", (long) Response.DONE);
    m.put("KULP_PHASE_NEED_CHECK", (long) Response.NEED_CHECK);
    m.put("KULP_PHASE_NEED_WRITES", (long) Response.NEED_WRITES);
    m.put("KULP_PHASE_PLANNED", (long) Response.PLANNED);
    m.put("KULP_STATE_READY", (long) STATE_READY);
    m.put("KULP_STATE_NO_HELPER", (long) STATE_NO_HELPER);
    m.put("KULP_DISABLED_ON_PATH", (long) DISABLED_ON_PATH);
    m.put("KULP_DISABLED_ON_USERS", (long) DISABLED_ON_USERS);
    m.put("KULP_DISABLED_ON_GROUPS", (long) DISABLED_ON_GROUPS);
    m.put("KULP_DISABLED_BY_ULP", (long) DISABLED_BY_ULP);
    m.put("KULP_WARN", (long) LEVEL_WARN);
    m.put("KULP_ERROR", (long) LEVEL_ERROR);
    m.put("kulp_abi.magic", (long) MAGIC_OFF);
    m.put("kulp_abi.version", (long) VERSION_OFF);
    m.put("kulp_abi.size", (long) SIZE_OFF);
    m.put("kulp_abi.state", (long) STATE_OFF);
    m.put("kulp_abi.helper_tid", (long) HELPER_TID_OFF);
    m.put("kulp_abi.n_patches", (long) N_PATCHES_OFF);
    m.put("kulp_abi.n_funcs", (long) N_FUNCS_OFF);
    m.put("kulp_abi.disabled", (long) DISABLED_OFF);
    m.put("kulp_abi.generation", (long) GENERATION_OFF);
    m.put("kulp_abi.message_head", (long) MESSAGE_HEAD_OFF);
    m.put("kulp_abi.mailbox", (long) MAILBOX_OFF);
    m.put("kulp_abi.patches", (long) PATCHES_OFF);
    m.put("kulp_abi.funcs", (long) FUNCS_OFF);
    m.put("kulp_abi.ring", (long) RING_OFF);
    m.put("sizeof.kulp_abi", (long) ABI_SIZE);
    m.put("kulp_mailbox.request", 0L);
    m.put("kulp_mailbox.response", (long) REQUEST_SIZE);
    m.put("kulp_request.seq", (long) REQ_SEQ);
    m.put("kulp_request.command", (long) REQ_COMMAND);
    m.put("kulp_request.flags", (long) REQ_FLAGS);
    m.put("kulp_request.metadata_len", (long) REQ_METADATA_LEN);
    m.put("kulp_request.deadline_ns", (long) REQ_DEADLINE);
    m.put("kulp_request.patch_id", (long) REQ_PATCH_ID);
    m.put("kulp_request.library", (long) REQ_LIBRARY);
    m.put("kulp_request.path", (long) REQ_PATH);
    m.put("kulp_request.metadata", (long) REQ_METADATA);
    m.put("sizeof.kulp_request", (long) REQUEST_SIZE);
    m.put("kulp_response.seq", (long) RESP_SEQ);
    m.put("kulp_response.phase", (long) RESP_PHASE);
    m.put("kulp_response.status", (long) RESP_STATUS);
    m.put("kulp_response.n_checks", (long) RESP_N_CHECKS);
    m.put("kulp_response.n_writes", (long) RESP_N_WRITES);
    m.put("kulp_response.n_forbidden", (long) RESP_N_FORBIDDEN);
    m.put("kulp_response.applied_patches", (long) RESP_APPLIED);
    m.put("kulp_response.checks", (long) RESP_CHECKS);
    m.put("kulp_response.writes", (long) RESP_WRITES);
    m.put("kulp_response.forbidden", (long) RESP_FORBIDDEN);
    m.put("kulp_response.message", (long) RESP_MESSAGE);
    m.put("sizeof.kulp_response", (long) RESPONSE_SIZE);
    m.put("kulp_write.addr", (long) WRITE_ADDR);
    m.put("kulp_write.len", (long) WRITE_LEN);
    m.put("kulp_write.live", (long) WRITE_LIVE);
    m.put("kulp_write.bytes", (long) WRITE_BYTES);
    m.put("kulp_write.expect", (long) WRITE_EXPECT);
    m.put("sizeof.kulp_write.bytes", (long) WRITE_MAX_LEN);
    m.put("sizeof.kulp_write", (long) WRITE_SIZE);
    m.put("kulp_range.start", (long) RANGE_START);
    m.put("kulp_range.end", (long) RANGE_END);
    m.put("sizeof.kulp_range", (long) RANGE_SIZE);
    m.put("kulp_patch_record.id", (long) PATCH_ID);
    m.put("kulp_patch_record.first_func", (long) PATCH_FIRST_FUNC);
    m.put("kulp_patch_record.n_funcs", (long) PATCH_N_FUNCS);
    m.put("kulp_patch_record.applied_realtime_ns", (long) PATCH_APPLIED_NS);
    m.put("kulp_patch_record.order", (long) PATCH_ORDER);
    m.put("kulp_patch_record.library", (long) PATCH_LIBRARY);
    m.put("kulp_patch_record.path", (long) PATCH_PATH);
    m.put("kulp_patch_record.labels", (long) PATCH_LABELS);
    m.put("sizeof.kulp_patch_record", (long) PATCH_SIZE);
    m.put("kulp_func_record.old_addr", (long) FUNC_OLD_ADDR);
    m.put("kulp_func_record.new_addr", (long) FUNC_NEW_ADDR);
    m.put("kulp_func_record.patch", (long) FUNC_PATCH);
    m.put("kulp_func_record.active", (long) FUNC_ACTIVE);
    m.put("kulp_func_record.old_name", (long) FUNC_OLD_NAME);
    m.put("kulp_func_record.new_name", (long) FUNC_NEW_NAME);
    m.put("sizeof.kulp_func_record", (long) FUNC_SIZE);
    m.put("kulp_message.seq", (long) MSG_SEQ);
    m.put("kulp_message.realtime_ns", (long) MSG_TIME);
    m.put("kulp_message.level", (long) MSG_LEVEL);
    m.put("kulp_message.text", (long) MSG_TEXT);
    m.put("sizeof.kulp_message", (long) MSG_SIZE);
    return m;
  }
}
