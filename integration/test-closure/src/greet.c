#include <stdio.h>
#include "greet.h"

const char *greet(const char *who) {
    static char message[128];
    snprintf(message, sizeof message, "hello from %s via libgreet %d", who, greet_version());
    return message;
}

int greet_version(void) {
    return 1;
}
