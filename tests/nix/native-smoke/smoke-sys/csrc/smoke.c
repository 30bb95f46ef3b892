#include "smoke.h"

int smoke_add(int a, int b) { return a + b; }
