/* SPDX-License-Identifier: GPL-2.0 */
/* list's columns as lvs has them: -o FIELDS, --sort, --units. */
#ifndef PFSADM_REPORT_H
#define PFSADM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "image.h"

#define PFSADM_REPORT_MAX_FIELDS 32

/* One image with its state here, read once per report. */
struct pfsadm_row {
	const struct pfs_image_entry *e;
	enum pfs_image_state state;
	int open_count;
	uint64_t copy_done;	/* moving: sectors on the destination */
	char host[64];		/* shared pool: who holds its lease; else "" */
};

struct pfsadm_field;

struct pfsadm_report {
	const struct pfsadm_field *fields[PFSADM_REPORT_MAX_FIELDS];
	unsigned int nfields;
	const struct pfsadm_field *sort_key;
	bool descending;
	char unit;		/* as pfs_parse_units(): 'h' unless --units */
	bool suffix;		/* the unit's letter after a size */
	bool headings;
};

/* The default columns, sorted by name, human units, with headings. */
void pfsadm_report_init(struct pfsadm_report *r);
/* -o: "a,b" for those columns, "+a,b" to add them to the default ones. */
int pfsadm_report_columns(struct pfsadm_report *r, const char *spec, struct pfs_error *err);
/* --sort: a field's name, "-name" for descending. */
int pfsadm_report_sort(struct pfsadm_report *r, const char *key, struct pfs_error *err);
/* The field names -o and --sort take, comma-separated. */
const char *pfsadm_report_field_names(void);
/* Sort @rows by --sort (by name if none), ties by name. */
void pfsadm_report_sort_rows(const struct pfsadm_report *r, struct pfsadm_row *rows,
			     unsigned int n);
/* Sort @rows and print them, each column as wide as its widest cell. */
void pfsadm_report_print(const struct pfsadm_report *r, struct pfsadm_row *rows, unsigned int n,
			 FILE *out);

#endif /* PFSADM_REPORT_H */
