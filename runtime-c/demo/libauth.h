#ifndef LIBAUTH_H
#define LIBAUTH_H
int auth_check(const char *password);
int auth_failures(void);
#endif
