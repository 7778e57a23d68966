// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object table: every kernel object that several parts of a job may
 * share (open files today; mm, files_struct, pipes as the subsystem
 * grows) gets an id the first time it is written.  Later references
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
 *
 * Return: its id, or 0 if it is not in the table.
 */
u32 ckpt_obj_lookup_ptr(struct ckpt_objhash *h, void *ptr)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_ptr, obj, by_ptr, (unsigned long)ptr)
		if (obj->ptr == ptr)
			return obj->id;
	return 0;
}

/**
 * ckpt_obj_lookup_id - object with a given id
 * @h:	the table
 * @id:	the id
 *
 * Return: the object, or NULL.
 */
void *ckpt_obj_lookup_id(struct ckpt_objhash *h, u32 id)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_id, obj, by_id, id)
		if (obj->id == id)
			return obj->ptr;
	return NULL;
}

/**
 * ckpt_obj_lookup_kind - object with a given id and kind
 * @h:		the table
 * @id:		the id
 * @release:	the release function objects of that kind were added with;
 *		ids are shared by all kinds, so an image cannot make one
 *		kind of object pass for another
 *
 * Return: the object, or NULL if there is none of that kind.
 */
void *ckpt_obj_lookup_kind(struct ckpt_objhash *h, u32 id, void (*release)(void *))
{
	struct ckpt_obj *obj;

	hash_for_each_possible(h->by_id, obj, by_id, id)
		if (obj->id == id)
			return obj->release == release ? obj->ptr : NULL;
	return NULL;
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
 * @release:	called on @ptr when the table is destroyed, or NULL
 *
 * Return: 0, -EEXIST if @id is taken, or -ENOMEM.
 */
int ckpt_obj_add(struct ckpt_objhash *h, void *ptr, u32 id, void (*release)(void *))
{
	struct ckpt_obj *obj;

	if (!id || ckpt_obj_lookup_id(h, id))
		return -EEXIST;
	obj = kmalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	obj->ptr = ptr;
	obj->id = id;
	obj->release = release;
	hash_add(h->by_ptr, &obj->by_ptr, (unsigned long)ptr);
	hash_add(h->by_id, &obj->by_id, id);
	if (id >= h->next_id)
		h->next_id = id + 1;
	return 0;
}
