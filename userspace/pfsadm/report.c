// SPDX-License-Identifier: GPL-2.0
/* list's columns: each field knows its heading, its cell and its sort key. */
#define _GNU_SOURCE	/* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "pfs-format.h"
#include "report.h"
#include "size.h"

/* The widest cell: a device path with the longest name. */
#define PFSADM_CELL_LEN (PFS_NAME_LEN + 32)

struct pfsadm_field {
	const char *name;	/* what -o and --sort take */
	const char *heading;
	bool right;		/* numbers line up on the right */
	void (*cell)(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf);
	/* The sort key of a numeric field; NULL sorts by the cell's text. */
	unsigned long long (*key)(const struct pfsadm_row *row);
};

static void cell_number(unsigned long long v, char *buf)
{
	snprintf(buf, PFSADM_CELL_LEN, "%llu", v);
}

/* A cap as an admin reads it: "-" for none. */
static void cell_cap(unsigned long long v, char *buf)
{
	if (v)
		cell_number(v, buf);
	else
		strcpy(buf, "-");
}

static unsigned long long key_length(const struct pfsadm_row *row)
{
	return le64_to_cpu(row->e->length);
}

static unsigned long long key_start(const struct pfsadm_row *row)
{
	return le64_to_cpu(row->e->start);
}

static unsigned long long key_end(const struct pfsadm_row *row)
{
	return key_start(row) + key_length(row);
}

static unsigned long long key_open(const struct pfsadm_row *row)
{
	return (unsigned long long)row->open_count;
}

static unsigned long long key_weight(const struct pfsadm_row *row)
{
	return le32_to_cpu(row->e->weight);
}

static unsigned long long key_iops(const struct pfsadm_row *row)
{
	return le64_to_cpu(row->e->iops_max);
}

static unsigned long long key_bps(const struct pfsadm_row *row)
{
	return le64_to_cpu(row->e->bps_max);
}

static unsigned long long key_created(const struct pfsadm_row *row)
{
	return le64_to_cpu(row->e->ctime);
}

static void cell_name(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	snprintf(buf, PFSADM_CELL_LEN, "%s", row->e->name);
}

static void cell_uuid(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	uuid_unparse_lower(row->e->uuid, buf);
}

static void cell_size(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	pfs_format_units(key_length(row) << PFS_SECTOR_SHIFT, r->unit, r->suffix, buf,
			 PFSADM_CELL_LEN);
}

static void cell_start(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	cell_number(key_start(row), buf);
}

static void cell_end(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	cell_number(key_end(row), buf);
}

static void cell_state(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	uint32_t flags = le32_to_cpu(row->e->flags);
	const char *copy = flags & PFS_IMAGE_MOVING_BACK ? "moving-back" :
			   flags & PFS_IMAGE_MOVING ? "moving" :
			   flags & PFS_IMAGE_CLONING ? "cloning" :
			   flags & PFS_IMAGE_TO_POOL ? "moving-to-pool" : NULL;

	if (copy)
		snprintf(buf, PFSADM_CELL_LEN, "%s,%s:%u%%", pfs_image_state_name(row->state), copy,
			 (unsigned int)(row->copy_done * 100 / key_length(row)));
	else if (flags & PFS_IMAGE_CLONE)
		snprintf(buf, PFSADM_CELL_LEN, "%s,clone-being-made",
			 pfs_image_state_name(row->state));
	/* Its device is the other pool's image's: only the move is this one's. */
	else if (flags & PFS_IMAGE_INCOMING)
		snprintf(buf, PFSADM_CELL_LEN, "incoming");
	else
		snprintf(buf, PFSADM_CELL_LEN, "%s", pfs_image_state_name(row->state));
}

static void cell_open(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	cell_number(key_open(row), buf);
}

static void cell_weight(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	cell_number(key_weight(row), buf);
}

static void cell_iops(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	cell_cap(key_iops(row), buf);
}

static void cell_bps(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	if (!key_bps(row)) {
		strcpy(buf, "-");
		return;
	}
	pfs_format_units(key_bps(row), r->unit, r->suffix, buf, PFSADM_CELL_LEN - 2);
	if (r->suffix)
		strcat(buf, "/s");
}

static void cell_created(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	time_t t = (time_t)key_created(row);

	(void)r;
	strftime(buf, PFSADM_CELL_LEN, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

static void cell_device(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	snprintf(buf, PFSADM_CELL_LEN, "/dev/mapper/" PFS_DM_PREFIX "%s", row->e->name);
}

static void cell_host(const struct pfsadm_report *r, const struct pfsadm_row *row, char *buf)
{
	(void)r;
	snprintf(buf, PFSADM_CELL_LEN, "%s", row->host[0] ? row->host : "-");
}

static const struct pfsadm_field pfsadm_fields[] = {
	{ "name", "NAME", false, cell_name, NULL },
	{ "uuid", "UUID", false, cell_uuid, NULL },
	{ "size", "SIZE", true, cell_size, key_length },
	{ "state", "STATE", false, cell_state, NULL },
	{ "open", "OPEN", true, cell_open, key_open },
	{ "weight", "WEIGHT", true, cell_weight, key_weight },
	{ "iops_max", "IOPS_MAX", true, cell_iops, key_iops },
	{ "bps_max", "BPS_MAX", true, cell_bps, key_bps },
	{ "start", "START", true, cell_start, key_start },
	{ "end", "END", true, cell_end, key_end },
	{ "created", "CREATED", false, cell_created, key_created },
	{ "device", "DEVICE", false, cell_device, NULL },
	{ "host", "HOST", false, cell_host, NULL },
	{ NULL, NULL, false, NULL, NULL },
};

static const char pfsadm_default_columns[] =
	"name,size,state,weight,iops_max,bps_max,start,device";

static const struct pfsadm_field *pfsadm_field_find(const char *name, size_t len)
{
	const struct pfsadm_field *f;

	for (f = pfsadm_fields; f->name; f++)
		if (strlen(f->name) == len && !strncmp(f->name, name, len))
			return f;
	return NULL;
}

const char *pfsadm_report_field_names(void)
{
	static char names[256];
	const struct pfsadm_field *f;

	if (!names[0])
		for (f = pfsadm_fields; f->name; f++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 f == pfsadm_fields ? "" : ",", f->name);
	return names;
}

static int pfsadm_report_add(struct pfsadm_report *r, const char *list, struct pfs_error *err)
{
	const struct pfsadm_field *f;
	size_t len;

	for (;;) {
		len = strcspn(list, ",");
		f = pfsadm_field_find(list, len);
		if (!f)
			return pfs_fail(err, PFS_EXIT_ARGS, "unknown field '%.*s'; fields: %s",
					(int)len, list, pfsadm_report_field_names());
		if (r->nfields == PFSADM_REPORT_MAX_FIELDS)
			return pfs_fail(err, PFS_EXIT_ARGS, "more than %d fields",
					PFSADM_REPORT_MAX_FIELDS);
		r->fields[r->nfields++] = f;
		if (!list[len])
			return 0;
		list += len + 1;
	}
}

void pfsadm_report_init(struct pfsadm_report *r)
{
	struct pfs_error ignored = { 0 };

	memset(r, 0, sizeof(*r));
	pfsadm_report_add(r, pfsadm_default_columns, &ignored);
	r->sort_key = &pfsadm_fields[0];
	r->unit = 'h';
	r->suffix = true;
	r->headings = true;
}

int pfsadm_report_columns(struct pfsadm_report *r, const char *spec, struct pfs_error *err)
{
	if (spec[0] == '+')
		return pfsadm_report_add(r, spec + 1, err);
	r->nfields = 0;
	return pfsadm_report_add(r, spec, err);
}

int pfsadm_report_sort(struct pfsadm_report *r, const char *key, struct pfs_error *err)
{
	r->descending = key[0] == '-';
	key += r->descending;
	r->sort_key = pfsadm_field_find(key, strlen(key));
	if (!r->sort_key)
		return pfs_fail(err, PFS_EXIT_ARGS, "cannot sort by '%s'; fields: %s", key,
				pfsadm_report_field_names());
	return 0;
}

static int pfsadm_row_cmp(const void *a, const void *b, void *arg)
{
	const struct pfsadm_report *r = arg;
	const struct pfsadm_row *x = a, *y = b;
	char cx[PFSADM_CELL_LEN], cy[PFSADM_CELL_LEN];
	int c;

	if (r->sort_key->key) {
		unsigned long long kx = r->sort_key->key(x), ky = r->sort_key->key(y);

		c = kx < ky ? -1 : kx > ky;
	} else {
		r->sort_key->cell(r, x, cx);
		r->sort_key->cell(r, y, cy);
		c = strcmp(cx, cy);
	}
	if (r->descending)
		c = -c;
	/* Ties in name order, whichever way the key goes. */
	return c ? c : strcmp(x->e->name, y->e->name);
}

void pfsadm_report_sort_rows(const struct pfsadm_report *r, struct pfsadm_row *rows,
			     unsigned int n)
{
	qsort_r(rows, n, sizeof(*rows), pfsadm_row_cmp, (void *)r);
}

void pfsadm_report_print(const struct pfsadm_report *r, struct pfsadm_row *rows, unsigned int n,
			 FILE *out)
{
	char (*cells)[PFSADM_CELL_LEN] = calloc((size_t)n * r->nfields + 1, sizeof(*cells));
	size_t width[PFSADM_REPORT_MAX_FIELDS];
	unsigned int i, j;

	if (!cells) {
		fprintf(stderr, "pfsadm list: out of memory\n");
		return;
	}
	pfsadm_report_sort_rows(r, rows, n);
	for (j = 0; j < r->nfields; j++)
		width[j] = r->headings ? strlen(r->fields[j]->heading) : 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < r->nfields; j++) {
			char *c = cells[i * r->nfields + j];

			r->fields[j]->cell(r, &rows[i], c);
			if (strlen(c) > width[j])
				width[j] = strlen(c);
		}
	for (i = 0; i < n + r->headings; i++) {
		for (j = 0; j < r->nfields; j++) {
			const char *c = r->headings && !i ? r->fields[j]->heading :
					cells[(i - r->headings) * r->nfields + j];
			bool last = j + 1 == r->nfields;

			fprintf(out, "%s%*s", j ? " " : "",
			       last && !r->fields[j]->right ? 0 :
			       (r->fields[j]->right ? 1 : -1) * (int)width[j], c);
		}
		fputc('\n', out);
	}
	free(cells);
}
