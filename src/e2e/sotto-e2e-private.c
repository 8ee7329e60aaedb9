/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-e2e-private.h"

gpointer
_sotto_e2e_secure_alloc (gsize size)
{
  gpointer mem = sodium_malloc (size);

  if (mem == NULL)
    g_error ("%s: failed to allocate %" G_GSIZE_FORMAT " bytes of secure memory",
             G_STRLOC, size);

  return mem;
}

GBytes *
_sotto_e2e_secure_bytes_new (gsize    size,
                             guint8 **data)
{
  guint8 *mem = _sotto_e2e_secure_alloc (size);

  *data = mem;

  return g_bytes_new_with_free_func (mem, size, sodium_free, mem);
}
