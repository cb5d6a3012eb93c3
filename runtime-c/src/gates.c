/* Gates: for functions whose padding cannot hold a naturally aligned 8-byte target,
 * and for every function in processes that forbid writable code (W^X), the padding
 * jumps once and for all to a gate here, in libpulp's own text, and the gate jumps
 * through a word in libpulp's data. Retargeting the function is then an ordinary
 * atomic store to data: no code write, no stop of any thread. The cost is one more
 * predicted indirect jump per call. */
#include "runtime.h"

/* Each stub is `jmp *kulp_gate_targets+8*i(%rip)` padded to 8 bytes. */
__asm__(".pushsection .text.kulp_gates,\"ax\",@progbits\n"
        ".p2align 4\n"
        ".globl kulp_gate_stubs\n"
        ".hidden kulp_gate_stubs\n"
        "kulp_gate_stubs:\n"
        ".set kulp_gate_i, 0\n"
        ".rept " "1024" "\n"
        "  jmp *kulp_gate_targets + 8 * kulp_gate_i(%rip)\n"
        "  .p2align 3, 0xcc\n"
        "  .set kulp_gate_i, kulp_gate_i + 1\n"
        ".endr\n"
        ".popsection\n");
_Static_assert(KULP_GATES == 1024, "the .rept count above must match KULP_GATES");

extern char kulp_gate_stubs[] HIDDEN;
HIDDEN uint64_t kulp_gate_targets[KULP_GATES];
static int gates_used;

int gate_alloc(void) { return gates_used < KULP_GATES ? gates_used++ : -1; }
uintptr_t gate_stub(int gate) { return (uintptr_t)kulp_gate_stubs + 8u * (unsigned)gate; }
uint64_t *gate_target(int gate) { return &kulp_gate_targets[gate]; }
