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

/* Crockford's base32: no I, L, O or U, which read as 1, 1, 0 or a word. */
static const char base32_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static gsize
base32_symbols (gsize raw_len)
{
  return (raw_len * 8 + 4) / 5;
}

/**
 * _sotto_e2e_base32_length:
 * @raw_len: how many bytes are written
 * @group: symbols in a group
 *
 * Returns: the length of _sotto_e2e_base32_encode()'s text, dashes included
 */
gsize
_sotto_e2e_base32_length (gsize raw_len,
                          guint group)
{
  gsize symbols = base32_symbols (raw_len);

  g_assert (raw_len > 0 && group > 0);

  return symbols + (symbols - 1) / group;
}

static void
put_symbol (char  *text,
            gsize *pos,
            guint  group,
            guint  value)
{
  /* A dash before every group but the first. */
  if (*pos > 0 && (*pos + 1) % (group + 1) == 0)
    text[(*pos)++] = '-';
  text[(*pos)++] = base32_alphabet[value & 31];
}

/**
 * _sotto_e2e_base32_encode:
 * @raw: (array length=raw_len): the secret
 * @group: symbols in a group
 *
 * The text is in ordinary memory, since it is made to be shown; the bits
 * it is made from are wiped.
 *
 * Returns: (transfer full): @raw in base32
 */
char *
_sotto_e2e_base32_encode (const guint8 *raw,
                          gsize         raw_len,
                          guint         group)
{
  gsize len = _sotto_e2e_base32_length (raw_len, group);
  char *text = g_malloc (len + 1);
  guint32 bits = 0;
  guint n_bits = 0;
  gsize pos = 0;

  for (gsize i = 0; i < raw_len; i++)
    {
      bits = (bits << 8) | raw[i];
      n_bits += 8;
      while (n_bits >= 5)
        {
          n_bits -= 5;
          put_symbol (text, &pos, group, bits >> n_bits);
        }
    }
  if (n_bits > 0)
    put_symbol (text, &pos, group, bits << (5 - n_bits));
  g_assert (pos == len);
  text[pos] = '\0';

  sodium_memzero (&bits, sizeof bits);

  return text;
}

/* The value of a symbol, read as Crockford reads it: in either case, with
 * O for 0 and I or L for 1; -1 for anything else. */
static int
symbol_value (char c)
{
  int value = -1;

  c = g_ascii_toupper (c);
  if (c == 'O')
    c = '0';
  else if (c == 'I' || c == 'L')
    c = '1';

  for (int i = 0; i < 32; i++)
    if (base32_alphabet[i] == c)
      value = i;

  return value;
}

/**
 * _sotto_e2e_base32_decode:
 * @text: what a person typed
 * @raw: (array length=raw_len): where the secret goes, in secure memory
 *
 * Returns: %TRUE if @text is exactly @raw_len bytes in base32; @raw may
 *   be partly written otherwise
 */
gboolean
_sotto_e2e_base32_decode (const char *text,
                          guint8     *raw,
                          gsize       raw_len)
{
  gsize symbols = base32_symbols (raw_len);
  guint pad_bits = (guint) (symbols * 5 - raw_len * 8);
  guint32 bits = 0;
  guint n_bits = 0;
  gsize n_symbols = 0;
  gsize pos = 0;
  gboolean ok = TRUE;

  for (const char *p = text; *p != '\0'; p++)
    {
      int value;

      /* People write and paste these in groups, on lines. */
      if (*p == '-' || g_ascii_isspace (*p))
        continue;

      value = symbol_value (*p);
      if (value < 0 || n_symbols == symbols)
        {
          ok = FALSE;
          break;
        }
      n_symbols++;

      bits = (bits << 5) | (guint32) value;
      n_bits += 5;
      if (n_bits >= 8)
        {
          n_bits -= 8;
          raw[pos++] = (guint8) (bits >> n_bits);
        }
    }

  ok = ok && n_symbols == symbols && (bits & ((1u << pad_bits) - 1)) == 0;
  g_assert (!ok || (pos == raw_len && n_bits == pad_bits));

  sodium_memzero (&bits, sizeof bits);

  return ok;
}
