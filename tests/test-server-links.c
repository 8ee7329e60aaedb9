/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>
#include <sys/resource.h>

#include "sotto-e2e.h"
#include "sotto-test-server-fixture.h"
#include "sotto-test-util.h"

/*
 * Linking a new computer through the real server over loopback: the new
 * computer offers before it logs in, a signed-in computer fetches the
 * offer and approves it, and the approval reaches the waiting connection
 * exactly as it was sent, with the approving account's name, once. The
 * offers and approvals are sealed by the e2e library, so their sizes are
 * real; the server opens neither. A link ends when it is approved, when
 * its connection closes and when its time is up, and the server holds a
 * thousand at most.
 */

#define NAME "Laptop"
#define TIME G_GINT64_CONSTANT (1700000000000)
#define OFFER_MAX SOTTO_PROTOCOL_LINK_OFFER_MAX_BYTES
#define APPROVAL_MAX SOTTO_PROTOCOL_LINK_APPROVAL_MAX_BYTES
/* The server's own cap, SOTTO_SERVER_MAX_LINKS. */
#define MAX_LINKS 1000

static const char *const link_timeout_1[] = { "--link-timeout", "1", NULL };
static const char *const login_1_link_4[] = { "--login-timeout", "1", "--link-timeout", "4", NULL };

/* A server of the test's own, started with @data as its extra flags. */
static void
setup_with_flags (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  fixture->server = sotto_test_server_start (NULL, data);
}

#define LINKS_ADD(path, func) SOTTO_SERVER_FIXTURE_ADD ("links/" path, func)
#define LINKS_ADD_WITH_FLAGS(path, flags, func) \
  g_test_add ("/sotto/server/links/" path, SottoServerFixture, flags, \
              setup_with_flags, func, sotto_server_fixture_teardown)

/* The computer to be linked: connected, not logged in, with the request
 * it keeps while it waits and the offer it sends. */
typedef struct
{
  SottoTestClient  *client;
  SottoIdentity    *identity;
  SottoLinkCode    *code;
  SottoLinkRequest *request;
  GBytes           *offer;
} NewComputer;

static void
new_computer_free (NewComputer *computer)
{
  g_clear_pointer (&computer->client, sotto_test_client_free);
  g_clear_object (&computer->identity);
  g_clear_object (&computer->code);
  g_clear_object (&computer->request);
  g_clear_pointer (&computer->offer, g_bytes_unref);
  g_free (computer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NewComputer, new_computer_free)

/* A request under @code (a new one when %NULL), and a fresh offer. */
static void
new_computer_request (NewComputer   *computer,
                      SottoLinkCode *code,
                      const char    *name)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&computer->request);
  g_clear_pointer (&computer->offer, g_bytes_unref);
  g_set_object (&computer->code, code);
  if (computer->code == NULL)
    computer->code = sotto_link_code_new ();
  computer->request = sotto_link_request_new (computer->code,
                                              sotto_identity_get_public (computer->identity),
                                              name, &error);
  g_assert_no_error (error);
  computer->offer = sotto_link_offer_seal (computer->request, &error);
  g_assert_no_error (error);
}

static NewComputer *
new_computer (SottoServerFixture *fixture,
              const char         *name)
{
  NewComputer *computer = g_new0 (NewComputer, 1);

  computer->client = sotto_test_client_connect (fixture->server);
  computer->identity = sotto_identity_new ();
  new_computer_request (computer, NULL, name);

  return computer;
}

static const char *
link_of (NewComputer *computer)
{
  return sotto_link_code_get_id (computer->code);
}

/* Requests */

static SottoMsg *
offer (SottoTestClient *client,
       const char      *link,
       GBytes          *bytes)
{
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client, sotto_msg_build_link_offer (id, link, bytes));
  return sotto_test_client_expect_reply (client, id);
}

static void
assert_ok (SottoMsg *reply)
{
  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Refused: %s", sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
}

static void
assert_error (SottoMsg          *reply,
              SottoMsgErrorCode  code)
{
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpstr (sotto_msg_error_code_to_string (sotto_msg_get_error_code (reply)), ==,
                   sotto_msg_error_code_to_string (code));
}

static void
offer_ok (SottoTestClient *client,
          const char      *link,
          GBytes          *bytes)
{
  g_autoptr(SottoMsg) reply = offer (client, link, bytes);

  assert_ok (reply);
}

static void
offer_refused (SottoTestClient   *client,
               const char        *link,
               GBytes            *bytes,
               SottoMsgErrorCode  code)
{
  g_autoptr(SottoMsg) reply = offer (client, link, bytes);

  assert_error (reply, code);
}

static void
new_computer_offer (NewComputer *computer)
{
  offer_ok (computer->client, link_of (computer), computer->offer);
}

static SottoMsg *
fetch (SottoTestClient *client,
       const char      *link)
{
  return sotto_test_client_request (client, sotto_msg_build_link_fetch, link);
}

/* Fetches what waits under @link: exactly @expected. */
static void
assert_fetch (SottoTestClient *client,
              const char      *link,
              GBytes          *expected)
{
  g_autoptr(SottoMsg) reply = fetch (client, link);
  g_autoptr(GBytes) got = NULL;

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Fetching a link failed: %s", sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_LINK_OFFERED);
  g_assert_cmpstr (sotto_msg_get_string (reply, "link"), ==, link);
  got = sotto_msg_dup_bytes (reply, "offer");
  g_assert_true (g_bytes_equal (got, expected));
}

static void
assert_fetch_error (SottoTestClient   *client,
                    const char        *link,
                    SottoMsgErrorCode  code)
{
  g_autoptr(SottoMsg) reply = fetch (client, link);

  assert_error (reply, code);
}

static SottoMsg *
approve (SottoTestClient *client,
         const char      *link,
         GBytes          *approval)
{
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client, sotto_msg_build_link_approve (id, link, approval));
  return sotto_test_client_expect_reply (client, id);
}

static void
approve_ok (SottoTestClient *client,
            const char      *link,
            GBytes          *approval)
{
  g_autoptr(SottoMsg) reply = approve (client, link, approval);

  assert_ok (reply);
}

static void
approve_refused (SottoTestClient   *client,
                 const char        *link,
                 GBytes            *approval,
                 SottoMsgErrorCode  code)
{
  g_autoptr(SottoMsg) reply = approve (client, link, approval);

  assert_error (reply, code);
}

/* The signed-in computer: an account key and a device of its own. */
typedef struct
{
  SottoAccountKey *key;
  SottoIdentity   *identity;
} Approver;

static void
approver_init (Approver *approver)
{
  approver->key = sotto_account_key_new ();
  approver->identity = sotto_identity_new ();
}

static void
approver_clear (Approver *approver)
{
  g_clear_object (&approver->key);
  g_clear_object (&approver->identity);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Approver, approver_clear)

/* What an honest approver of @account who typed @typed answers the
 * fetched @offer_bytes with: its list with the offer's computer added,
 * sealed for that computer. */
static GBytes *
seal_approval (Approver      *approver,
               const char    *account,
               SottoLinkCode *typed,
               GBytes        *offer_bytes)
{
  g_auto(SottoLinkOffer) opened = { 0 };
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GBytes) sealed_list = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *approval;

  g_assert_true (sotto_link_offer_open (typed, offer_bytes, &opened, &error));
  g_assert_no_error (error);

  list = sotto_device_list_new (account, sotto_account_key_get_public (approver->key), 2, TIME);
  g_assert_true (sotto_device_list_add (list, sotto_identity_get_public (approver->identity),
                                        TIME - 1000, "Desktop", &error));
  g_assert_true (sotto_device_list_add (list, &opened.identity, TIME, opened.name, &error));
  g_assert_no_error (error);
  sealed_list = sotto_device_list_seal (list, approver->key, &error);
  g_assert_no_error (error);

  approval = sotto_link_approval_seal (typed, &opened, approver->key, sealed_list, &error);
  g_assert_no_error (error);
  return approval;
}

/* The waiting connection's link_approved: for @link, exactly @approval,
 * from @user. */
static void
expect_approved (SottoTestClient *client,
                 const char      *link,
                 GBytes          *approval,
                 const char      *user)
{
  g_autoptr(SottoMsg) event = sotto_test_client_expect (client, SOTTO_MSG_TYPE_LINK_APPROVED);
  g_autoptr(GBytes) got = sotto_msg_dup_bytes (event, "approval");

  g_assert_cmpstr (sotto_msg_get_string (event, "link"), ==, link);
  g_assert_true (g_bytes_equal (got, approval));
  g_assert_cmpstr (sotto_msg_get_string (event, "user"), ==, user);
}

/* Fetches @link until the server has let go of it: a closed connection
 * is dropped a moment after it closes. */
static void
wait_link_gone (SottoTestClient *client,
                const char      *link)
{
  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(SottoMsg) reply = fetch (client, link);

      if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
        {
          assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
          return;
        }
      sotto_test_iterate (10);
    }

  g_error ("The link outlived its connection");
}

/* Tests */

/* The whole exchange: the new computer offers before logging in, alice's
 * computer fetches the offer under the code typed in lower case and
 * approves it; the waiting connection gets exactly that approval, with
 * alice's name, which opens for her account; alice gets "ok". The link is
 * then gone: a second approval and a fetch find nothing, and the new
 * computer hears nothing more. */
static void
test_links_approve (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "Alice");
  g_auto(Approver) approver = { 0 };
  g_autofree char *shown = sotto_link_code_to_string (laptop->code);
  g_autofree char *typed_text = g_ascii_strdown (shown, -1);
  g_autoptr(SottoLinkCode) typed = sotto_link_code_new_from_string (typed_text, NULL);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(GBytes) seed = NULL;
  g_autoptr(GBytes) got_seed = NULL;
  g_autoptr(SottoAccountKey) got_key = NULL;
  g_autoptr(SottoDeviceList) got_list = NULL;
  g_autoptr(GError) error = NULL;
  const char *link = link_of (laptop);

  approver_init (&approver);
  g_assert_true (sotto_protocol_link_id_is_valid (link));
  g_assert_cmpstr (sotto_link_code_get_id (typed), ==, link);
  new_computer_offer (laptop);

  reply = fetch (alice, sotto_link_code_get_id (typed));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_LINK_OFFERED);
  fetched = sotto_msg_dup_bytes (reply, "offer");
  g_assert_true (g_bytes_equal (fetched, laptop->offer));
  /* Fetching leaves the link waiting. */
  assert_fetch (alice, link, laptop->offer);

  approval = seal_approval (&approver, "alice", typed, fetched);
  approve_ok (alice, link, approval);
  expect_approved (laptop->client, link, approval, "alice");

  /* What the new computer got is what alice's computer sealed. */
  g_assert_true (sotto_link_approval_open (laptop->request, approval, "alice", &got_key,
                                           &got_list, &error));
  g_assert_no_error (error);
  seed = sotto_account_key_dup_seed (approver.key);
  got_seed = sotto_account_key_dup_seed (got_key);
  g_assert_true (g_bytes_equal (seed, got_seed));
  g_assert_nonnull (sotto_device_list_lookup (got_list,
                                              sotto_identity_get_public (laptop->identity)));

  /* Once. */
  approve_refused (alice, link, approval, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  assert_fetch_error (alice, link, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  sotto_test_client_assert_none (laptop->client, SOTTO_MSG_TYPE_LINK_APPROVED, 100);
  g_assert_false (sotto_test_client_is_closed (laptop->client));
}

/* Nobody offered under these ids. */
static void
test_links_unknown (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoLinkCode) code = sotto_link_code_new ();
  g_autoptr(GBytes) approval = g_bytes_new_take (g_malloc0 (APPROVAL_MAX), APPROVAL_MAX);

  assert_fetch_error (alice, sotto_link_code_get_id (code), SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  assert_fetch_error (alice, "00000000000000000000000000000000",
                      SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  approve_refused (alice, sotto_link_code_get_id (code), approval,
                   SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
}

/* A second connection offering under an id another one holds is refused,
 * and the first offer stays as it was, and is the one approved. */
static void
test_links_taken (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(NewComputer) intruder = new_computer (fixture, "Laptop too");
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_auto(Approver) approver = { 0 };
  g_autoptr(GBytes) approval = NULL;
  const char *link = link_of (laptop);

  approver_init (&approver);
  new_computer_offer (laptop);

  /* Whoever else saw the code offers under it, with an offer of its own. */
  new_computer_request (intruder, laptop->code, "Laptop too");
  g_assert_false (g_bytes_equal (intruder->offer, laptop->offer));
  offer_refused (intruder->client, link, intruder->offer, SOTTO_MSG_ERROR_CODE_LINK_TAKEN);
  assert_fetch (alice, link, laptop->offer);

  approval = seal_approval (&approver, "alice", laptop->code, laptop->offer);
  approve_ok (alice, link, approval);
  expect_approved (laptop->client, link, approval, "alice");
  sotto_test_client_assert_none (intruder->client, SOTTO_MSG_TYPE_LINK_APPROVED, 100);

  /* The id is free again. */
  offer_ok (intruder->client, link, intruder->offer);
  assert_fetch (alice, link, intruder->offer);
}

/* A new offer from the same connection takes the place of its first:
 * the first id is gone, and free for others; the same id again takes
 * the new bytes. */
static void
test_links_replace (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(NewComputer) other = new_computer (fixture, "Other");
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoLinkCode) first = NULL;
  g_autoptr(GBytes) first_offer = NULL;
  g_autoptr(GBytes) second_offer = NULL;
  g_auto(Approver) approver = { 0 };
  g_autoptr(GBytes) approval = NULL;

  approver_init (&approver);
  new_computer_offer (laptop);
  first = g_object_ref (laptop->code);
  first_offer = g_bytes_ref (laptop->offer);

  new_computer_request (laptop, NULL, NAME);
  new_computer_offer (laptop);
  g_assert_cmpstr (link_of (laptop), !=, sotto_link_code_get_id (first));
  assert_fetch_error (alice, sotto_link_code_get_id (first), SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  assert_fetch (alice, link_of (laptop), laptop->offer);

  /* The same id again, with an offer sealed anew. */
  second_offer = g_bytes_ref (laptop->offer);
  g_clear_pointer (&laptop->offer, g_bytes_unref);
  laptop->offer = sotto_link_offer_seal (laptop->request, NULL);
  g_assert_nonnull (laptop->offer);
  g_assert_false (g_bytes_equal (laptop->offer, second_offer));
  new_computer_offer (laptop);
  assert_fetch (alice, link_of (laptop), laptop->offer);

  /* The first id is anyone's now. */
  new_computer_request (other, first, "Other");
  new_computer_offer (other);
  assert_fetch (alice, sotto_link_code_get_id (first), other->offer);
  g_assert_false (g_bytes_equal (other->offer, first_offer));

  /* An approval of the first id reaches the one that holds it now. */
  approval = seal_approval (&approver, "alice", first, other->offer);
  approve_ok (alice, sotto_link_code_get_id (first), approval);
  expect_approved (other->client, sotto_link_code_get_id (first), approval, "alice");
  sotto_test_client_assert_none (laptop->client, SOTTO_MSG_TYPE_LINK_APPROVED, 100);
  assert_fetch (alice, link_of (laptop), laptop->offer);
}

/* The connection that offered closes: the link goes with it, an approval
 * finds nothing, and the id is free. */
static void
test_links_connection_closed (SottoServerFixture *fixture,
                              gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(NewComputer) again = new_computer (fixture, NAME);
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_auto(Approver) approver = { 0 };
  g_autoptr(GBytes) approval = NULL;
  g_autofree char *link = NULL;

  approver_init (&approver);
  new_computer_offer (laptop);
  link = g_strdup (link_of (laptop));
  assert_fetch (alice, link, laptop->offer);
  approval = seal_approval (&approver, "alice", laptop->code, laptop->offer);

  g_clear_pointer (&laptop->client, sotto_test_client_free);
  wait_link_gone (alice, link);
  approve_refused (alice, link, approval, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);

  new_computer_request (again, laptop->code, NAME);
  new_computer_offer (again);
  assert_fetch (alice, link, again->offer);
}

/* With a limit of one second: the offer waits that long, then the
 * waiting connection hears link_expired and the link is gone. The
 * connection stays open and may offer again. */
static void
test_links_expiry (SottoServerFixture *fixture,
                   gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoMsg) expired = NULL;
  g_auto(Approver) approver = { 0 };
  g_autoptr(GBytes) approval = NULL;
  gint64 sent;

  approver_init (&approver);
  approval = seal_approval (&approver, "alice", laptop->code, laptop->offer);

  sent = g_get_monotonic_time ();
  new_computer_offer (laptop);
  expired = sotto_test_client_expect (laptop->client, SOTTO_MSG_TYPE_LINK_EXPIRED);
  g_assert_cmpint (g_get_monotonic_time () - sent, >=, 950 * 1000);
  g_assert_cmpstr (sotto_msg_get_string (expired, "link"), ==, link_of (laptop));

  assert_fetch_error (alice, link_of (laptop), SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  approve_refused (alice, link_of (laptop), approval, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  g_assert_false (sotto_test_client_is_closed (laptop->client));
  g_assert_cmpuint (sotto_test_client_count (laptop->client, SOTTO_MSG_TYPE_LINK_APPROVED), ==, 0);

  /* Under a new code, approved in time this time. */
  new_computer_request (laptop, NULL, NAME);
  new_computer_offer (laptop);
  g_clear_pointer (&approval, g_bytes_unref);
  approval = seal_approval (&approver, "alice", laptop->code, laptop->offer);
  approve_ok (alice, link_of (laptop), approval);
  expect_approved (laptop->client, link_of (laptop), approval, "alice");
  sotto_test_client_assert_none (laptop->client, SOTTO_MSG_TYPE_LINK_EXPIRED, 1200);
}

/* With a login timeout of one second and a link timeout of four: a
 * connection that offers is not dropped for not logging in while its
 * link waits, one that does not is; once the link has expired, the
 * offering one has the login timeout again, and is dropped then. */
static void
test_links_hold_login_timeout (SottoServerFixture *fixture,
                               gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = NULL;
  g_autoptr(SottoTestClient) idle = NULL;
  g_autoptr(SottoMsg) pong = NULL;
  g_autoptr(SottoMsg) expired = NULL;
  g_autofree char *id = NULL;

  /* The offer first: a timeout of whole seconds may fire early. */
  laptop = new_computer (fixture, NAME);
  new_computer_offer (laptop);
  idle = sotto_test_client_connect (fixture->server);
  sotto_test_client_wait_closed (idle);
  sotto_test_iterate (500);
  g_assert_false (sotto_test_client_is_closed (laptop->client));

  id = sotto_test_client_next_id (laptop->client);
  sotto_test_client_send_take (laptop->client, sotto_msg_build_ping (id));
  pong = sotto_test_client_expect_reply (laptop->client, id);
  g_assert_cmpint (sotto_msg_get_msg_type (pong), ==, SOTTO_MSG_TYPE_PONG);

  expired = sotto_test_client_expect (laptop->client, SOTTO_MSG_TYPE_LINK_EXPIRED);
  sotto_test_client_wait_closed (laptop->client);
}

/* Fetching and approving need a login; offering does not. Nothing
 * changes when they are refused. */
static void
test_links_not_logged_in (SottoServerFixture *fixture,
                          gconstpointer       data)
{
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(SottoTestClient) stranger = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_auto(Approver) approver = { 0 };
  g_autoptr(GBytes) approval = NULL;

  approver_init (&approver);
  new_computer_offer (laptop);
  approval = seal_approval (&approver, "alice", laptop->code, laptop->offer);

  assert_fetch_error (stranger, link_of (laptop), SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);
  approve_refused (stranger, link_of (laptop), approval, SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);
  /* Not even the offering connection itself. */
  assert_fetch_error (laptop->client, link_of (laptop), SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);
  approve_refused (laptop->client, link_of (laptop), approval,
                   SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);
  sotto_test_client_assert_none (laptop->client, SOTTO_MSG_TYPE_LINK_APPROVED, 100);

  assert_fetch (alice, link_of (laptop), laptop->offer);
  approve_ok (alice, link_of (laptop), approval);
  expect_approved (laptop->client, link_of (laptop), approval, "alice");
}

static GBytes *
bytes_of (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 13 + 7);

  return g_bytes_new_take (data, len);
}

/* Link ids that are not 32 characters of lowercase hex, and offers and
 * approvals out of their sizes, break the field rules: nothing of them is
 * kept, and an offer already waiting stays. The largest of each is
 * taken. */
static void
test_links_wrong_fields (SottoServerFixture *fixture,
                         gconstpointer       data)
{
  static const char *const bad_links[] = {
    "0123456789abcdef0123456789abcde",   /* 31 */
    "0123456789abcdef0123456789abcdef0", /* 33 */
    "0123456789ABCDEF0123456789ABCDEF",
    "0123456789abcdefg123456789abcdef",
  };
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(NewComputer) other = new_computer (fixture, NAME);
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) longest_offer = bytes_of (OFFER_MAX);
  g_autoptr(GBytes) long_offer = bytes_of (OFFER_MAX + 1);
  g_autoptr(GBytes) longest_approval = bytes_of (APPROVAL_MAX);
  g_autoptr(GBytes) long_approval = bytes_of (APPROVAL_MAX + 1);
  g_autofree char *upper = g_ascii_strup (link_of (laptop), -1);

  new_computer_offer (laptop);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_links); i++)
    {
      offer_refused (other->client, bad_links[i], other->offer, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
      assert_fetch_error (alice, bad_links[i], SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
      approve_refused (alice, bad_links[i], longest_approval, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
    }
  /* The waiting link's id in upper case is another spelling: refused,
   * not taken for it. */
  assert_fetch_error (alice, upper, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  approve_refused (alice, upper, longest_approval, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);

  offer_refused (other->client, link_of (other), empty, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  offer_refused (other->client, link_of (other), long_offer, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  assert_fetch_error (alice, link_of (other), SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  /* A bad offer over a waiting one leaves it waiting. */
  offer_refused (laptop->client, link_of (laptop), long_offer, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  approve_refused (alice, link_of (laptop), empty, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  approve_refused (alice, link_of (laptop), long_approval, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  assert_fetch (alice, link_of (laptop), laptop->offer);
  sotto_test_client_assert_none (laptop->client, SOTTO_MSG_TYPE_LINK_APPROVED, 100);

  /* The bounds themselves pass; the server never looks inside. */
  offer_ok (other->client, link_of (other), longest_offer);
  assert_fetch (alice, link_of (other), longest_offer);
  approve_ok (alice, link_of (laptop), longest_approval);
  expect_approved (laptop->client, link_of (laptop), longest_approval, "alice");
}

/* The server holds a thousand links at most: the next connection to
 * offer is refused with overloaded, while one that holds a link may
 * still replace it; a link approved makes room. */
static void
test_links_cap (SottoServerFixture *fixture,
                gconstpointer       data)
{
  g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func (
      (GDestroyNotify) sotto_test_client_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(NewComputer) laptop = new_computer (fixture, NAME);
  g_autoptr(NewComputer) latecomer = new_computer (fixture, NAME);
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) approval = bytes_of (600);
  SottoTestClient *first;

  /* Ids that are not a code's: the server cannot tell. The offer is a
   * real one, sent by all. */
  for (guint i = 0; i < MAX_LINKS; i++)
    {
      SottoTestClient *client = sotto_test_client_connect (fixture->server);
      char *request_id = sotto_test_client_next_id (client);
      char *link = g_strdup_printf ("%032x", i);

      sotto_test_client_send_take (client, sotto_msg_build_link_offer (request_id, link,
                                                                         laptop->offer));
      g_ptr_array_add (waiting, client);
      g_ptr_array_add (ids, request_id);
      g_free (link);
    }
  for (guint i = 0; i < MAX_LINKS; i++)
    {
      g_autoptr(SottoMsg) reply = sotto_test_client_expect_reply (g_ptr_array_index (waiting, i),
                                                                  g_ptr_array_index (ids, i));

      assert_ok (reply);
    }

  offer_refused (laptop->client, link_of (laptop), laptop->offer,
                 SOTTO_MSG_ERROR_CODE_OVERLOADED);
  assert_fetch_error (alice, link_of (laptop), SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);

  /* A holder replaces its link, under the same id or another. */
  first = g_ptr_array_index (waiting, 0);
  offer_ok (first, "00000000000000000000000000000000", latecomer->offer);
  offer_ok (first, link_of (latecomer), latecomer->offer);
  assert_fetch_error (alice, "00000000000000000000000000000000",
                      SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK);
  offer_refused (laptop->client, link_of (laptop), laptop->offer,
                 SOTTO_MSG_ERROR_CODE_OVERLOADED);

  /* One approved, one place free. */
  approve_ok (alice, link_of (latecomer), approval);
  expect_approved (first, link_of (latecomer), approval, "alice");
  new_computer_offer (laptop);
  assert_fetch (alice, link_of (laptop), laptop->offer);
  offer_refused (latecomer->client, link_of (latecomer), latecomer->offer,
                 SOTTO_MSG_ERROR_CODE_OVERLOADED);
}

/* The log tells that a link was offered, from where, who approved one and
 * that one expired; never an id, an offer or an approval. */
static void
test_links_logs_without_content (SottoServerFixture *fixture,
                                 gconstpointer       data)
{
  static const char *const args[] = { "--verbose", "--link-timeout", "1", NULL };
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *log_path = g_build_filename (dir, "server.log", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(SottoTestServer) server = sotto_test_server_start_full (data_dir, args, log_path);
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (server);
  g_autoptr(SottoMsg) session = sotto_test_client_register (alice, "alice", SOTTO_TEST_PASSWORD);
  SottoServerFixture own = { server };
  g_autoptr(NewComputer) laptop = new_computer (&own, NAME);
  g_autoptr(NewComputer) desktop = new_computer (&own, "Desktop");
  g_autoptr(NewComputer) gone = new_computer (&own, "Gone");
  g_auto(Approver) approver = { 0 };
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(SottoMsg) expired = NULL;
  g_autofree char *approval_base64 = NULL;
  g_autofree char *offer_base64 = NULL;
  g_autofree char *log = NULL;
  char *links[3];

  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
  approver_init (&approver);
  links[0] = g_strdup (link_of (laptop));
  links[1] = g_strdup (link_of (desktop));
  links[2] = g_strdup (link_of (gone));

  new_computer_offer (laptop);
  new_computer_offer (desktop);
  new_computer_offer (gone);
  approval = seal_approval (&approver, "alice", laptop->code, laptop->offer);
  approve_ok (alice, link_of (laptop), approval);
  expect_approved (laptop->client, link_of (laptop), approval, "alice");
  expired = sotto_test_client_expect (desktop->client, SOTTO_MSG_TYPE_LINK_EXPIRED);
  g_clear_pointer (&gone->client, sotto_test_client_free);
  wait_link_gone (alice, links[2]);

  approval_base64 = g_base64_encode (g_bytes_get_data (approval, NULL),
                                     g_bytes_get_size (approval));
  offer_base64 = g_base64_encode (g_bytes_get_data (laptop->offer, NULL),
                                  g_bytes_get_size (laptop->offer));
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&laptop, new_computer_free);
  g_clear_pointer (&desktop, new_computer_free);
  sotto_test_server_stop (server);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "A link offer waits from 127.0.0.1"));
  g_assert_nonnull (strstr (log, "alice approved a link"));
  g_assert_nonnull (strstr (log, "A link expired"));
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_assert_null (strstr (log, links[i]));
      g_free (links[i]);
    }
  g_assert_null (strstr (log, approval_base64));
  g_assert_null (strstr (log, offer_base64));

  g_clear_pointer (&gone, new_computer_free);
  g_clear_pointer (&server, sotto_test_server_free);
  sotto_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  /* The cap test holds over a thousand connections, and so does the
   * server, which inherits the limit. */
  {
    struct rlimit limit;

    g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
    limit.rlim_cur = MIN (MAX (limit.rlim_cur, 4096), limit.rlim_max);
    g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  }

  LINKS_ADD ("approve", test_links_approve);
  LINKS_ADD ("unknown", test_links_unknown);
  LINKS_ADD ("taken", test_links_taken);
  LINKS_ADD ("replace", test_links_replace);
  LINKS_ADD ("connection-closed", test_links_connection_closed);
  LINKS_ADD_WITH_FLAGS ("expiry", link_timeout_1, test_links_expiry);
  LINKS_ADD_WITH_FLAGS ("hold-login-timeout", login_1_link_4, test_links_hold_login_timeout);
  LINKS_ADD ("not-logged-in", test_links_not_logged_in);
  LINKS_ADD ("wrong-fields", test_links_wrong_fields);
  LINKS_ADD ("cap", test_links_cap);
  LINKS_ADD ("logs-without-content", test_links_logs_without_content);

  return g_test_run ();
}
