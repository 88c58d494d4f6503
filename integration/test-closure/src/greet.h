#ifndef GREET_H
#define GREET_H
const char *greet(const char *who);
int greet_version(void);
#endif
