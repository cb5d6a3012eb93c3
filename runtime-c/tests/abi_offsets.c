/* Prints the layout of kulp.h's ABI as NAME VALUE lines. The engine's mirror of it
 * (io.kulp.engine.Abi) is checked against this output by AbiLayoutTest. */
#include <stddef.h>
#include <stdio.h>

#include "kulp.h"

#define P(name, value) printf("%s %lu\n", name, (unsigned long)(value))
#define OFF(type, field) P(#type "." #field, offsetof(struct type, field))
#define SIZE(type) P("sizeof." #type, sizeof(struct type))

int main(void) {
  P("KULP_ABI_MAGIC", KULP_ABI_MAGIC);
  P("KULP_ABI_VERSION", KULP_ABI_VERSION);
  P("KULP_MAX_PATCHES", KULP_MAX_PATCHES);
  P("KULP_MAX_FUNCS", KULP_MAX_FUNCS);
  P("KULP_MAX_CHECKS", KULP_MAX_CHECKS);
  P("KULP_MAX_WRITES", KULP_MAX_WRITES);
  P("KULP_METADATA_MAX", KULP_METADATA_MAX);
  P("KULP_RING_SIZE", KULP_RING_SIZE);
  OFF(kulp_abi, magic);
  OFF(kulp_abi, version);
  OFF(kulp_abi, size);
  OFF(kulp_abi, state);
  OFF(kulp_abi, helper_tid);
  OFF(kulp_abi, n_patches);
  OFF(kulp_abi, n_funcs);
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
  SIZE(kulp_write);
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
