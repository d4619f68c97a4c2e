// The option splitter of mountdata.h.
#include <string.h>

#include "mountdata.h"

char *next_option(char **rest)
{
	while (*rest != NULL && **rest == ',')
		(*rest)++;
	char *o = *rest, *c = o;
	if (o == NULL || *o == '\0')
		return NULL;
	for (int quoted = 0; *c != '\0' && (quoted || *c != ','); c++)
		if (*c == '"')
			quoted = !quoted;
	*rest = *c == ',' ? c + 1 : NULL;
	*c = '\0';
	return o;
}

char *unquote(char *v)
{
	size_t n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}
