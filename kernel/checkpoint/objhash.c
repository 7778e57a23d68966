// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object table: every kernel object that several parts of a job may
 * share (open files, pipes, ptys; mm and files_struct as the
 * subsystem grows) gets an id the first time it is written.  Later references
 * write only the id, and restart looks the id up to share the object
 * it recreated.
 */

#include <linux/slab.h>

#include "internal.h"

/**
 * ckpt_obj_init - initialise an empty object table
 * @h: the table
 */
void ckpt_obj_init(struct ckpt_objhash *h)
{
	hash_init(h->by_ptr);
	hash_init(h->by_id);
	h->next_id = 1;
}

/**
 * ckpt_obj_destroy - release every object in the table and empty it
 * @h: the table
 */
void ckpt_obj_destroy(struct ckpt_objhash *h)
{
	struct ckpt_obj *obj;
	struct hlist_node *tmp;
	int bkt;

	hash_for_each_safe(h->by_id, bkt, tmp, obj, by_id) {
		hash_del(&obj->by_id);
		hash_del(&obj->by_ptr);
		if (obj->release)
			obj->release(obj->ptr);
		kfree(obj);
	}
}

/**
 * ckpt_obj_lookup_ptr - id of an object already in the table
 * @h:		the table
 * @ptr:	the object
 * @kind:	set to its kind (enum ckpt_obj_kind) if it is there; or NULL
 *
 * Return: its id, or 0 if it is not in the table.
 */
u32 ckpt_obj_lookup_ptr(struct ckpt_objhash *h, void *ptr, u32 *kind)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_ptr, obj, by_ptr, (unsigned long)ptr) {
		if (obj->ptr == ptr) {
			if (kind)
				*kind = obj->kind;
			return obj->id;
		}
	}
	return 0;
}

static struct ckpt_obj *ckpt_obj_find(struct ckpt_objhash *h, u32 id)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_id, obj, by_id, id)
		if (obj->id == id)
			return obj;
	return NULL;
}

/**
 * ckpt_obj_lookup - object with a given id and kind
 * @h:		the table
 * @id:		the id
 * @kind:	the kind (enum ckpt_obj_kind) the caller expects
 *
 * Return: the object, or NULL if there is none of that kind with @id.
 */
void *ckpt_obj_lookup(struct ckpt_objhash *h, u32 id, u32 kind)
{
	struct ckpt_obj *obj = ckpt_obj_find(h, id);

	return obj && obj->kind == kind ? obj->ptr : NULL;
}

/**
 * ckpt_obj_new_id - the next unused id
 * @h: the table
 *
 * Return: an id > 0.
 */
u32 ckpt_obj_new_id(struct ckpt_objhash *h)
{
	return h->next_id++;
}

/**
 * ckpt_obj_add - put an object in the table
 * @h:		the table
 * @ptr:	the object
 * @id:		its id (> 0, not yet in the table)
 * @kind:	its kind (enum ckpt_obj_kind)
 * @release:	called on @ptr when the table is destroyed, or NULL
 *
 * Return: 0, -EEXIST if @id is taken, or -ENOMEM.
 */
int ckpt_obj_add(struct ckpt_objhash *h, void *ptr, u32 id, u32 kind, void (*release)(void *))
{
	struct ckpt_obj *obj;

	if (!id || ckpt_obj_find(h, id))
		return -EEXIST;
	obj = kmalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	obj->ptr = ptr;
	obj->id = id;
	obj->kind = kind;
	obj->release = release;
	hash_add(h->by_ptr, &obj->by_ptr, (unsigned long)ptr);
	hash_add(h->by_id, &obj->by_id, id);
	if (id >= h->next_id)
		h->next_id = id + 1;
	return 0;
}
