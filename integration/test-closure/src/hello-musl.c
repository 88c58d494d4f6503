#include <stdio.h>
#include "greet.h"

int main(void) {
    puts(greet("musl"));
    return 0;
}
