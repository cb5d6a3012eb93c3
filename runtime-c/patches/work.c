long kfix_work_v2(long x) { return x * 2 + 2; }
