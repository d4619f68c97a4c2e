// mountdata.h: mount(2)'s option string, split as the kernel splits it, for
// a mount the init builds with fsconfig instead (tmpcopyup).
#ifndef BERTH_MOUNTDATA_H
#define BERTH_MOUNTDATA_H

// next_option cuts the next option off the comma-separated list *rest, in
// place: a comma between double quotes (an SELinux context="...:c1,c2")
// does not end an option, and empty options are skipped. NULL at the end.
char *next_option(char **rest);

// unquote strips the double quotes around a value in place: fsconfig takes
// the value itself, where mount(2)'s parser strips them.
char *unquote(char *v);

#endif
