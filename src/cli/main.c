/* cewb - entry point (placeholder until the command language lands). */
#include "config.h"
#include <stdio.h>

int main(void)
{
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	return 0;
}
