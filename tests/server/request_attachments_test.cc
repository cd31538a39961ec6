// Attachments of cross-border requests between in-memory nodes: a draft's
// attachment goes out with the send and its bytes arrive whole; the
// recipient attaches to its answer; need-to-know before acceptance; and
// every refusal a user can hit (wrong side, wrong state, too large, the
// same content twice, an unknown content, bytes not arrived yet), plus the
// checks on the bytes a peer sends; documents travel in bounded writes and
// survive a restart of the sender; a forward and a split-off carry the
// requester's documents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/digest.h"
#include "tests/server/requests_fixture.h"

namespace pwx::server {
namespace {

using ::pwx::server::fed_testing::Await;
using ::pwx::server::fed_testing::Eventually;
using ::pwx::server::fed_testing::Information;
using ::pwx::server::fed_testing::MemoryNode;
using ::pwx::server::fed_testing::RequestsTest;
using ::pwx::server::fed_testing::Step;
using ::pwx::v1::Request;
using ::pwx::v1::RequestEvent;
using ::testing::HasSubstr;

// Bytes that span several storage chunks, the last one short.
std::string Document(size_t size, char seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<char>(seed + (i * 31) % 251);
  }
  return out;
}

using RequestAttachmentsTest = RequestsTest;

TEST_F(RequestAttachmentsTest, ADraftsAttachmentArrivesWithTheSendAndMatches) {
  absl::StatusOr<Request> draft = Create(fr_, "PL-PIP", Information());
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  const std::string contract = Document(700'000, 'c');
  const std::string sha256 = domain::Sha256Hex(contract);
  absl::StatusOr<Request> attached =
      Attach(fr_, id, "contract.pdf", contract, "anne");
  ASSERT_TRUE(attached.ok()) << attached.status();
  ASSERT_EQ(attached->attachments_size(), 1);
  EXPECT_EQ(attached->attachments(0).sha256(), sha256);
  EXPECT_EQ(attached->attachments(0).size_bytes(), contract.size());
  EXPECT_EQ(attached->attachments(0).uploaded_by(), "anne");
  EXPECT_TRUE(attached->attachments(0).content_available());
  EXPECT_EQ(fr_.Count("request.attach"), 1);

  ASSERT_TRUE(Act(fr_, id, Step("send")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Converged(fr_, pl_, id));
  // The history records it, after the send, on both nodes.
  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok());
  ASSERT_GE(at_fr->history_size(), 2);
  ASSERT_TRUE(at_fr->history(1).has_attach());
  EXPECT_EQ(at_fr->history(1).attach().file_name(), "contract.pdf");
  EXPECT_EQ(at_fr->history(1).user(), "anne");

  // Need-to-know: before acceptance PL sees that there is one, not its
  // name, and may not download it.
  absl::StatusOr<Request> at_pl = Get(pl_, id);
  ASSERT_TRUE(at_pl.ok());
  EXPECT_TRUE(at_pl->personal_data_hidden());
  ASSERT_EQ(at_pl->attachments_size(), 1);
  EXPECT_EQ(at_pl->attachments(0).file_name(), "");
  EXPECT_EQ(at_pl->attachments(0).size_bytes(), contract.size());
  absl::StatusOr<std::string> early = Download(pl_, id, sha256);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(early.status().message(), HasSubstr("awaits acceptance"));
  EXPECT_EQ(pl_.Count("request.attachment.read"), 0);

  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  absl::StatusOr<std::string> bytes;
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(pl_, id, sha256);
    return bytes.ok();
  })) << bytes.status();
  EXPECT_EQ(*bytes, contract);
  at_pl = Get(pl_, id);
  ASSERT_TRUE(at_pl.ok());
  EXPECT_EQ(at_pl->attachments(0).file_name(), "contract.pdf");
  EXPECT_TRUE(at_pl->attachments(0).content_available());
  EXPECT_EQ(pl_.Count("request.attach"), 1);
  EXPECT_EQ(pl_.Count("request.attachment.arrived"), 1);
  EXPECT_EQ(pl_.Count("request.attachment.read"), 1);
}

TEST_F(RequestAttachmentsTest, TheRecipientAttachesOnceItAcceptedAndItArrives) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  const std::string a1 = Document(300'000, 'a');
  // Before accepting: the wrong side (only the requester attaches now).
  absl::StatusOr<Request> r = Attach(pl_, id, "a1.pdf", a1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("AWAITING_ACCEPTANCE"));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  r = Attach(pl_, id, "a1.pdf", a1, "piotr");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(Act(pl_, id, Step("answer")).ok());
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ANSWERED));
  ASSERT_TRUE(Converged(fr_, pl_, id));
  absl::StatusOr<std::string> bytes;
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(fr_, id, domain::Sha256Hex(a1));
    return bytes.ok();
  })) << bytes.status();
  EXPECT_EQ(*bytes, a1);
  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok());
  ASSERT_EQ(at_fr->attachments_size(), 1);
  EXPECT_EQ(at_fr->attachments(0).side(), pwx::v1::REQUEST_SIDE_RECIPIENT);
  EXPECT_EQ(at_fr->attachments(0).authority(), "PL-PIP");
  EXPECT_EQ(at_fr->attachments(0).uploaded_by(), "piotr");
  // The same content again is refused; an empty file is fine.
  r = Attach(fr_, id, "copy.pdf", a1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  r = Attach(fr_, id, "empty.txt", "");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(pl_, id, domain::Sha256Hex(""));
    return bytes.ok();
  })) << bytes.status();
  EXPECT_EQ(*bytes, "");
}

TEST_F(RequestAttachmentsTest, ClosedAndWithdrawnRequestsTakeNoAttachment) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  ASSERT_TRUE(Act(pl_, id, Step("answer")).ok());
  ASSERT_TRUE(Reaches(fr_, id, pwx::v1::REQUEST_STATE_ANSWERED));
  ASSERT_TRUE(Act(fr_, id, Step("close")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_CLOSED));
  for (MemoryNode* node : {&fr_, &pl_}) {
    absl::StatusOr<Request> r = Attach(*node, id, "late.pdf", "late");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(r.status().message(), HasSubstr("CLOSED"));
  }
  const std::string other = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Act(fr_, other, Step("withdraw")).ok());
  absl::StatusOr<Request> r = Attach(fr_, other, "late.pdf", "late");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("WITHDRAWN"));
  EXPECT_EQ(fr_.Count("request.attach"), 0);
}

TEST_F(RequestAttachmentsTest, RefusalsNameWhatIsWrong) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  // Too large.
  absl::StatusOr<Request> r =
      Attach(fr_, id, "huge.bin",
             std::string(fr_.requests()->max_attachment_bytes() + 1, 'x'));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("exceed the limit"));
  // A bad file name.
  r = Attach(fr_, id, "../etc/passwd", "x");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("header.file_name"));
  // An unknown request.
  r = Attach(fr_, "FR-DGT-R-2026-999999", "a.pdf", "x");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  // An unknown content, a malformed hash.
  absl::StatusOr<std::string> bytes =
      Download(fr_, id, domain::Sha256Hex("never attached"));
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(bytes.status().message(), HasSubstr("has no attachment"));
  bytes = Download(fr_, id, "ABC");
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bytes.status().message(), HasSubstr("sha256"));
  // An attach step without bytes.
  RequestEvent attach;
  attach.mutable_attach()->set_sha256(domain::Sha256Hex("x"));
  attach.mutable_attach()->set_file_name("a.pdf");
  EXPECT_EQ(Act(fr_, id, attach).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fr_.Count("request.attach"), 0);
}

TEST_F(RequestAttachmentsTest, ContentNotArrivedYetIsSaidSoUntilItIs) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  ASSERT_TRUE(Converged(fr_, pl_, id));
  // FR is down: PL's attach event and bytes wait in PL's outbox.
  fr_.set_down(true);
  const std::string payslips = Document(600'000, 'p');
  const std::string sha256 = domain::Sha256Hex(payslips);
  absl::StatusOr<Request> at_pl = Attach(pl_, id, "payslips.pdf", payslips);
  ASSERT_TRUE(at_pl.ok()) << at_pl.status();
  // The event alone reaches FR (as if the bytes were still on their way).
  pwx::v1::Event event;
  pwx::v1::RequestEvents* payload = event.mutable_request_events();
  payload->set_request_id(id);
  payload->set_requester("FR-DGT");
  *payload->add_events() = *at_pl->history().rbegin();
  storage::WriteBatch batch;
  ASSERT_TRUE(fr_.requests()->Apply(event, "PL-PIP", &batch).ok());
  ASSERT_TRUE(fr_.kv()->Write(std::move(batch)).ok());
  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok());
  ASSERT_EQ(at_fr->attachments_size(), 1);
  EXPECT_FALSE(at_fr->attachments(0).content_available());
  absl::StatusOr<std::string> bytes = Download(fr_, id, sha256);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(bytes.status().message(), HasSubstr("has not arrived"));

  // Bytes that do not match are not offered.
  pwx::v1::RequestAttachmentChunk forged;
  forged.set_request_id(id);
  forged.set_sha256(sha256);
  forged.set_index(2);
  forged.set_data(std::string(600'000 - 2 * storage::kBlobChunkBytes, 'z'));
  for (uint64_t i = 0; i < 2; ++i) {
    pwx::v1::RequestAttachmentChunk c = forged;
    c.set_index(i);
    c.set_data(std::string(storage::kBlobChunkBytes, 'z'));
    storage::WriteBatch b;
    ASSERT_TRUE(fr_.requests()->ApplyChunk(c, "PL-PIP", &b).ok());
    ASSERT_TRUE(fr_.kv()->Write(std::move(b)).ok());
  }
  // A chunk of the wrong length, or from a node that did not attach it.
  pwx::v1::RequestAttachmentChunk short_chunk = forged;
  short_chunk.set_data("z");
  storage::WriteBatch refused;
  absl::Status s = fr_.requests()->ApplyChunk(short_chunk, "PL-PIP", &refused);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("request_attachment_chunk.data"));
  s = fr_.requests()->ApplyChunk(forged, "DE-FKS", &refused);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  storage::WriteBatch last;
  ASSERT_TRUE(fr_.requests()->ApplyChunk(forged, "PL-PIP", &last).ok());
  ASSERT_TRUE(fr_.kv()->Write(std::move(last)).ok());
  EXPECT_EQ(fr_.Count("request.attachment.mismatch"), 1);
  bytes = Download(fr_, id, sha256);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);

  // The real bytes arrive once FR is back.
  fr_.set_down(false);
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(fr_, id, sha256);
    return bytes.ok();
  })) << bytes.status();
  EXPECT_EQ(*bytes, payslips);
  EXPECT_EQ(fr_.Count("request.attachment.arrived"), 1);
  ASSERT_TRUE(Converged(fr_, pl_, id));
}

TEST_F(RequestAttachmentsTest, ADocumentLargerThanThisNodeKeepsIsNotKept) {
  const std::string id = SentDraft(fr_, "PL-PIP");
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  ASSERT_TRUE(Converged(fr_, pl_, id));
  // PL's node announces a document larger than FR's limit.
  absl::StatusOr<Request> at_fr = Get(fr_, id);
  ASSERT_TRUE(at_fr.ok());
  RequestEvent e = domain::NextEvent(*at_fr, "PL-PIP");
  const std::string sha256 = domain::Sha256Hex("big");
  e.mutable_attach()->set_sha256(sha256);
  e.mutable_attach()->set_file_name("big.bin");
  e.mutable_attach()->set_size_bytes(fr_.requests()->max_attachment_bytes() +
                                     1);
  pwx::v1::Event event;
  event.mutable_request_events()->set_request_id(id);
  event.mutable_request_events()->set_requester("FR-DGT");
  *event.mutable_request_events()->add_events() = e;
  storage::WriteBatch batch;
  ASSERT_TRUE(fr_.requests()->Apply(event, "PL-PIP", &batch).ok());
  ASSERT_TRUE(fr_.kv()->Write(std::move(batch)).ok());
  pwx::v1::RequestAttachmentChunk chunk;
  chunk.set_request_id(id);
  chunk.set_sha256(sha256);
  chunk.set_data(std::string(storage::kBlobChunkBytes, 'x'));
  for (uint64_t i = 0; i < 2; ++i) {
    chunk.set_index(i);
    storage::WriteBatch b;
    ASSERT_TRUE(fr_.requests()->ApplyChunk(chunk, "PL-PIP", &b).ok());
    ASSERT_TRUE(fr_.kv()->Write(std::move(b)).ok());
  }
  EXPECT_EQ(fr_.Count("request.attachment.refused"), 1);
  absl::StatusOr<std::string> bytes = Download(fr_, id, sha256);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(storage::RequestStore(fr_.kv(), "FR-DGT")
                   .ReceivedChunk(id, sha256, 0)
                   ->has_value());
}

TEST_F(RequestAttachmentsTest, AForwardPassesTheDocumentsOn) {
  absl::StatusOr<Request> draft = Create(fr_, "PL-PIP", Information());
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  const std::string contract = Document(400'000, 'k');
  ASSERT_TRUE(Attach(fr_, id, "contract.pdf", contract).ok());
  ASSERT_TRUE(Act(fr_, id, Step("send")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  RequestEvent forward;
  forward.mutable_forward()->set_to("DE-FKS");
  ASSERT_TRUE(Act(pl_, id, forward).ok());
  ASSERT_TRUE(Reaches(de_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(de_, id, Step("accept")).ok());
  absl::StatusOr<std::string> bytes;
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(de_, id, domain::Sha256Hex(contract));
    return bytes.ok();
  })) << bytes.status();
  EXPECT_EQ(*bytes, contract);
}

TEST_F(RequestAttachmentsTest, ASendsWritesStayBoundedWhateverItsDocuments) {
  absl::StatusOr<Request> draft = Create(fr_, "PL-PIP", Information());
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  // 16 MiB of documents in one send.
  std::vector<std::string> documents;
  for (int i = 0; i < 4; ++i) {
    documents.push_back(
        Document((size_t{4} << 20) - 1000 * i, static_cast<char>('a' + i)));
    ASSERT_TRUE(
        Attach(fr_, id, absl::StrCat("doc", i, ".pdf"), documents.back()).ok());
  }
  ASSERT_TRUE(Act(fr_, id, Step("send")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  for (const std::string& document : documents) {
    absl::StatusOr<std::string> bytes;
    ASSERT_TRUE(Eventually([&] {
      bytes = Download(pl_, id, domain::Sha256Hex(document));
      return bytes.ok();
    })) << bytes.status();
    EXPECT_TRUE(*bytes == document);
  }
  EXPECT_EQ(pl_.Count("request.attachment.arrived"), 4);
  // No write of either node, from the uploads to the last chunk received,
  // held more than a few chunks: memory and writes do not grow with the
  // documents.
  constexpr size_t kBound = 24 * storage::kBlobChunkBytes;  // 6 MiB
  EXPECT_LT(fr_.LargestWrite(), kBound);
  EXPECT_LT(pl_.LargestWrite(), kBound);
}

TEST_F(RequestAttachmentsTest, DocumentsPromisedBeforeARestartArriveOnce) {
  absl::StatusOr<Request> draft = Create(fr_, "PL-PIP", Information());
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  // 16 chunks in all.
  const std::string contract = Document(size_t{2} << 20, 'c');
  const std::string payslips = Document((size_t{2} << 20) - 5, 'p');
  ASSERT_TRUE(Attach(fr_, id, "contract.pdf", contract).ok());
  ASSERT_TRUE(Attach(fr_, id, "payslips.pdf", payslips).ok());
  pl_.set_down(true);
  ASSERT_TRUE(Act(fr_, id, Step("send")).ok());
  // PL does not answer: FR queues chunks until its window is full, and
  // the rest stay promised.
  const uint64_t window = RequestsOptions().content_window;
  ASSERT_TRUE(Eventually([&] {
    absl::StatusOr<storage::OutboxStats> stats = fr_.outbox()->Stats("PL-PIP");
    return stats.ok() && stats->pending + stats->queued == window;
  }));
  absl::StatusOr<std::vector<storage::OutgoingContent>> promised =
      storage::RequestStore(fr_.kv(), "FR-DGT").Outgoing(10);
  ASSERT_TRUE(promised.ok()) << promised.status();
  EXPECT_FALSE(promised->empty());

  // The node stops between the step and its last chunk, and starts again.
  fr_.Restart();
  pl_.set_down(false);
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  for (const std::string* document : {&contract, &payslips}) {
    absl::StatusOr<std::string> bytes;
    ASSERT_TRUE(Eventually([&] {
      bytes = Download(pl_, id, domain::Sha256Hex(*document));
      return bytes.ok();
    })) << bytes.status();
    EXPECT_TRUE(*bytes == *document);
  }
  EXPECT_EQ(pl_.Count("request.attachment.arrived"), 2);
  EXPECT_EQ(pl_.Count("request.attachment.mismatch"), 0);
  // Every chunk went once: one envelope with the send and its two attach
  // events, then the 16 chunks; and nothing is left promised.
  ASSERT_TRUE(Eventually([&] {
    promised = storage::RequestStore(fr_.kv(), "FR-DGT").Outgoing(10);
    return promised.ok() && promised->empty();
  }));
  absl::StatusOr<storage::LinkRecord> link = fr_.outbox()->Link("PL-PIP");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->link.last_stamped(), 1u + 16u);
}

TEST_F(RequestAttachmentsTest, ASplitOffCarriesTheRequestersDocumentsOnly) {
  absl::StatusOr<Request> draft = Create(fr_, "PL-PIP", Information());
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  const std::string contract = Document(600'000, 'k');
  ASSERT_TRUE(Attach(fr_, id, "contract.pdf", contract, "anne").ok());
  ASSERT_TRUE(Act(fr_, id, Step("send")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  // PL's own document answers PL's part: it does not go along.
  const std::string answer = Document(100'000, 'a');
  ASSERT_TRUE(Attach(pl_, id, "answer.pdf", answer, "piotr").ok());
  RequestEvent split;
  split.mutable_split()->set_to("DE-FKS");
  split.mutable_split()->add_questions(1);  // A1-01
  ASSERT_TRUE(Act(pl_, id, split).ok());
  const std::string child = domain::SplitRequestId(id, 1);
  ASSERT_TRUE(Reaches(de_, child, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));

  // Need-to-know: DE sees that there is one document, not its name, and
  // may not download it before accepting.
  absl::StatusOr<Request> at_de = Get(de_, child);
  ASSERT_TRUE(at_de.ok()) << at_de.status();
  EXPECT_TRUE(at_de->personal_data_hidden());
  ASSERT_EQ(at_de->attachments_size(), 1);
  EXPECT_EQ(at_de->attachments(0).sha256(), domain::Sha256Hex(contract));
  EXPECT_EQ(at_de->attachments(0).file_name(), "");
  absl::StatusOr<std::string> bytes =
      Download(de_, child, domain::Sha256Hex(contract));
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(bytes.status().message(), HasSubstr("awaits acceptance"));

  ASSERT_TRUE(Act(de_, child, Step("accept")).ok());
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(de_, child, domain::Sha256Hex(contract));
    return bytes.ok();
  })) << bytes.status();
  EXPECT_TRUE(*bytes == contract);
  at_de = Get(de_, child);
  ASSERT_TRUE(at_de.ok()) << at_de.status();
  ASSERT_EQ(at_de->attachments_size(), 1);
  EXPECT_EQ(at_de->attachments(0).file_name(), "contract.pdf");
  EXPECT_EQ(at_de->attachments(0).authority(), "FR-DGT");
  EXPECT_EQ(at_de->attachments(0).uploaded_by(), "anne");
  bytes = Download(de_, child, domain::Sha256Hex(answer));
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kNotFound);
  // Both nodes hold the split-off alike, and the parent keeps both.
  ASSERT_TRUE(Converged(fr_, de_, child));
  absl::StatusOr<Request> parent = Get(pl_, id);
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(parent->attachments_size(), 2);
}

TEST_F(RequestAttachmentsTest, ASplitOffHeldAsADraftTakesTheDocumentsAlong) {
  absl::StatusOr<Request> draft = Create(fr_, "PL-PIP", Information());
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  const std::string contract = Document(300'000, 'k');
  ASSERT_TRUE(Attach(fr_, id, "contract.pdf", contract).ok());
  ASSERT_TRUE(Act(fr_, id, Step("send")).ok());
  ASSERT_TRUE(Reaches(pl_, id, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(pl_, id, Step("accept")).ok());
  // DE is PL's peer but no longer FR's: FR keeps the split-off as a draft,
  // with the document.
  ASSERT_TRUE(fr_.RemovePeer("DE-FKS").ok());
  RequestEvent split;
  split.mutable_split()->set_to("DE-FKS");
  split.mutable_split()->add_questions(1);
  ASSERT_TRUE(Act(pl_, id, split).ok());
  const std::string child = domain::SplitRequestId(id, 1);
  ASSERT_TRUE(Reaches(fr_, child, pwx::v1::REQUEST_STATE_DRAFT));
  absl::StatusOr<Request> at_fr = Get(fr_, child);
  ASSERT_TRUE(at_fr.ok()) << at_fr.status();
  ASSERT_EQ(at_fr->attachments_size(), 1);
  EXPECT_EQ(at_fr->attachments(0).file_name(), "contract.pdf");
  EXPECT_TRUE(at_fr->attachments(0).content_available());
  // Once DE is FR's peer again, the draft's send takes it along.
  ASSERT_TRUE(fr_.AddPeer(de_.Card()).ok());
  ASSERT_TRUE(Act(fr_, child, Step("send")).ok());
  ASSERT_TRUE(Reaches(de_, child, pwx::v1::REQUEST_STATE_AWAITING_ACCEPTANCE));
  ASSERT_TRUE(Act(de_, child, Step("accept")).ok());
  absl::StatusOr<std::string> bytes;
  ASSERT_TRUE(Eventually([&] {
    bytes = Download(de_, child, domain::Sha256Hex(contract));
    return bytes.ok();
  })) << bytes.status();
  EXPECT_TRUE(*bytes == contract);
}

}  // namespace
}  // namespace pwx::server
