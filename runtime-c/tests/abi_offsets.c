/* Prints every value of kulp.h that the Java side mirrors by hand, as NAME VALUE lines:
 * the ABI's layout and codes (io.kulp.engine.Abi, Request, Response) and the codes and
 * limits of the .ulp format (io.kulp.patch). AbiLayoutTest checks the Java values against
 * this output, and that every line here has a Java mirror. */
#include <stddef.h>
#include <stdio.h>

#include "kulp.h"

#define P(name, value) printf("%s %lu\n", name, (unsigned long)(value))
#define OFF(type, field) P(#type "." #field, offsetof(struct type, field))
#define SIZE(type) P("sizeof." #type, sizeof(struct type))
#define CODE(name) P(#name, name)

int main(void) {
  printf("KULP_ABI_SYMBOL %s\n", KULP_ABI_SYMBOL);
  P("KULP_ABI_MAGIC", KULP_ABI_MAGIC);
  P("KULP_ABI_VERSION", KULP_ABI_VERSION);
  P("KULP_MAX_PATCHES", KULP_MAX_PATCHES);
  P("KULP_MAX_FUNCS", KULP_MAX_FUNCS);
  P("KULP_MAX_CHECKS", KULP_MAX_CHECKS);
  P("KULP_MAX_WRITES", KULP_MAX_WRITES);
  P("KULP_METADATA_MAX", KULP_METADATA_MAX);
  P("KULP_RING_SIZE", KULP_RING_SIZE);
  P("KULP_ID_LEN", KULP_ID_LEN);
  P("KULP_NAME_MAX", KULP_NAME_MAX);
  P("KULP_PATH_MAX", KULP_PATH_MAX);
  P("KULP_MESSAGE_MAX", KULP_MESSAGE_MAX);
  /* codes the engine writes into a request or reads back */
  CODE(KULP_CMD_PING);
  CODE(KULP_CMD_APPLY);
  CODE(KULP_CMD_REVERT);
  CODE(KULP_CMD_REVERT_ALL);
  CODE(KULP_CMD_REVERT_ALL_APPLY);
  CODE(KULP_CMD_COMMIT);
  CODE(KULP_CMD_ABORT);
  CODE(KULP_REQ_SELF_WRITE);
  CODE(KULP_REQ_PROBE_WRITE);
  CODE(KULP_REQ_CONSISTENT);
  CODE(KULP_PATCH_CONSISTENT);
  CODE(KULP_PHASE_IDLE);
  CODE(KULP_PHASE_WORKING);
  CODE(KULP_PHASE_COMMITTING);
  CODE(KULP_PHASE_DONE);
  CODE(KULP_PHASE_NEED_CHECK);
  CODE(KULP_PHASE_NEED_WRITES);
  CODE(KULP_PHASE_PLANNED);
  CODE(KULP_STATE_READY);
  CODE(KULP_STATE_NO_HELPER);
  CODE(KULP_DISABLED_ON_PATH);
  CODE(KULP_DISABLED_ON_USERS);
  CODE(KULP_DISABLED_ON_GROUPS);
  CODE(KULP_DISABLED_BY_ULP);
  CODE(KULP_WARN);
  CODE(KULP_ERROR);
  /* the .ulp format: what the packer writes and the runtime reads */
  CODE(KULP_PATCH_APPLY);
  CODE(KULP_PATCH_REVERT);
  CODE(KULP_REF_DATA);
  CODE(KULP_REF_TLS);
  CODE(KULP_REF_BY_NAME);
  P("KULP_MAX_PATCH_FUNCS", KULP_MAX_PATCH_FUNCS);
  P("KULP_MAX_PATCH_REFS", KULP_MAX_PATCH_REFS);
  P("KULP_BUILD_ID_MAX", KULP_BUILD_ID_MAX);
  OFF(kulp_abi, magic);
  OFF(kulp_abi, version);
  OFF(kulp_abi, size);
  OFF(kulp_abi, state);
  OFF(kulp_abi, helper_tid);
  OFF(kulp_abi, n_patches);
  OFF(kulp_abi, n_funcs);
  OFF(kulp_abi, disabled);
  OFF(kulp_abi, generation);
  OFF(kulp_abi, message_head);
  OFF(kulp_abi, mailbox);
  OFF(kulp_abi, patches);
  OFF(kulp_abi, funcs);
  OFF(kulp_abi, ring);
  SIZE(kulp_abi);
  OFF(kulp_mailbox, request);
  OFF(kulp_mailbox, response);
  OFF(kulp_request, seq);
  OFF(kulp_request, command);
  OFF(kulp_request, flags);
  OFF(kulp_request, metadata_len);
  OFF(kulp_request, deadline_ns);
  OFF(kulp_request, patch_id);
  OFF(kulp_request, library);
  OFF(kulp_request, path);
  OFF(kulp_request, metadata);
  SIZE(kulp_request);
  OFF(kulp_response, seq);
  OFF(kulp_response, phase);
  OFF(kulp_response, status);
  OFF(kulp_response, n_checks);
  OFF(kulp_response, n_writes);
  OFF(kulp_response, n_forbidden);
  OFF(kulp_response, applied_patches);
  OFF(kulp_response, checks);
  OFF(kulp_response, writes);
  OFF(kulp_response, forbidden);
  OFF(kulp_response, message);
  SIZE(kulp_response);
  OFF(kulp_write, addr);
  OFF(kulp_write, len);
  OFF(kulp_write, live);
  OFF(kulp_write, bytes);
  OFF(kulp_write, expect);
  P("sizeof.kulp_write.bytes", sizeof(((struct kulp_write *)0)->bytes));
  SIZE(kulp_write);
  OFF(kulp_range, start);
  OFF(kulp_range, end);
  SIZE(kulp_range);
  OFF(kulp_patch_record, id);
  OFF(kulp_patch_record, first_func);
  OFF(kulp_patch_record, n_funcs);
  OFF(kulp_patch_record, applied_realtime_ns);
  OFF(kulp_patch_record, order);
  OFF(kulp_patch_record, library);
  OFF(kulp_patch_record, path);
  OFF(kulp_patch_record, labels);
  SIZE(kulp_patch_record);
  OFF(kulp_func_record, old_addr);
  OFF(kulp_func_record, new_addr);
  OFF(kulp_func_record, patch);
  OFF(kulp_func_record, active);
  OFF(kulp_func_record, old_name);
  OFF(kulp_func_record, new_name);
  SIZE(kulp_func_record);
  OFF(kulp_message, seq);
  OFF(kulp_message, realtime_ns);
  OFF(kulp_message, level);
  OFF(kulp_message, text);
  SIZE(kulp_message);
  return 0;
}
