// Unit tests of mountdata.c, the split of tmpcopyup's mount options.
// Built and run by `make unit`.
#include <stdio.h>
#include <string.h>

#include "../mountdata.h"

static int failures;

// check splits data and compares the options, unquoted values, joined by |.
static void check(const char *data, const char *want)
{
	char buf[256], got[256] = "";
	snprintf(buf, sizeof(buf), "%s", data);
	char *rest = buf;
	for (char *o; (o = next_option(&rest)) != NULL;) {
		char *eq = strchr(o, '=');
		if (got[0] != '\0')
			strcat(got, "|");
		if (eq != NULL) {
			*eq = '\0';
			strcat(got, o);
			strcat(got, "=");
			strcat(got, unquote(eq + 1));
		} else {
			strcat(got, o);
		}
	}
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "FAIL: %s split as %s, want %s\n", data, got, want);
		failures++;
	}
}

int main(void)
{
	check("", "");
	check("size=1m", "size=1m");
	check("size=1m,mode=755,nr_inodes=5", "size=1m|mode=755|nr_inodes=5");
	check(",,size=1m,,mode=755,", "size=1m|mode=755");
	check("size=1m,context=\"u:object_r:t:s0:c1,c2\"", "size=1m|context=u:object_r:t:s0:c1,c2");
	check("context=\"u:r:t\",size=1m", "context=u:r:t|size=1m");
	check("noswap", "noswap");
	check("x=\"", "x=\"");
	if (failures == 0)
		printf("mountdata_test: ok\n");
	return failures != 0;
}
