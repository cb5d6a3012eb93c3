/* A patch with references and no function (refs_only.dsc has no old:new line), which
 * libpulp accepts: applying it only fills kfix_counter_seen. */
int *kfix_counter_seen;
