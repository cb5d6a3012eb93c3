/* Built against a libkfix with another build-id: applying it must be refused. */
int kfix_value_other(void) { return 42; }
