//===- QuickFixes.cpp -----------------------------------------------------===//
#include "QuickFixes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>

using namespace llvm;

namespace fanout::clangd {

std::string fixTitle(StringRef NoteText) {
  StringRef T = NoteText.trim();
  // clangd capitalizes notes ("Fix: ...").
  T.consume_front_insensitive("fix: ");
  T.consume_front_insensitive("alternatively, ");
  T.consume_front_insensitive("alternatively: ");
  // The reason after the action is for the note, not for a menu entry.
  for (StringRef Cut : {", so that ", "; "})
    if (size_t At = T.find(Cut); At != StringRef::npos && At > 0)
      T = T.take_front(At);
  return T.rtrim(" .").str();
}

static std::string fileUri(StringRef Path) {
  std::string Out = "file://";
  for (unsigned char C : Path) {
    if (isalnum(C) || StringRef("/-._~").contains(C))
      Out += C;
    else
      Out += formatv("%{0:X2}", unsigned(C)).str();
  }
  return Out;
}

static std::string pageIn(StringRef Dir, StringRef Check) {
  SmallString<256> Path(Dir);
  sys::path::append(Path, Check + ".md");
  sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return sys::fs::exists(Path) ? fileUri(Path) : "";
}

std::string checkPageUri(StringRef Check, StringRef ExePath) {
  if (!Check.starts_with("fanout-"))
    return "";
  StringRef Url = FANOUT_DOCS_URL;
  if (!Url.empty())
    return (Url.rtrim('/') + "/" + Check + ".md").str();
  if (!ExePath.empty()) {
    SmallString<256> Installed(
        sys::path::parent_path(sys::path::parent_path(ExePath)));
    sys::path::append(Installed, "share", "doc", "fanout-tidy", "checks");
    std::string Page = pageIn(Installed, Check);
    if (!Page.empty())
      return Page;
  }
  return pageIn(FANOUT_SOURCE_DOCS_DIR, Check);
}

namespace {

std::string keyText(const json::Value &V) {
  std::string S;
  raw_string_ostream OS(S);
  OS << V;
  return S;
}

bool isFanout(const json::Object &Diag) {
  std::optional<StringRef> Code = Diag.getString("code");
  return Code && Code->starts_with("fanout-");
}

/// (code, range): a diagnostic as the client sends it back.
std::string diagKey(StringRef Uri, const json::Object &Diag) {
  std::string Key =
      Uri.str() + "\x1f" + Diag.getString("code").value_or("").str() + "\x1f";
  if (const json::Value *Range = Diag.get("range"))
    Key += keyText(*Range);
  return Key;
}

/// The first line of clangd's message: without the folded notes, and
/// without "(fix available)" and the like.
StringRef headline(StringRef Message) {
  StringRef Line = Message.split('\n').first.rtrim();
  if (Line.ends_with(")"))
    if (size_t Open = Line.rfind(" (");
        Open != StringRef::npos && Line.drop_front(Open).contains("fix"))
      Line = Line.take_front(Open);
  return Line;
}

/// The URI a code action edits.
std::string editedUri(const json::Object &Action) {
  const json::Object *Edit = Action.getObject("edit");
  if (!Edit)
    return "";
  if (const json::Object *Changes = Edit->getObject("changes"))
    if (!Changes->empty())
      return Changes->begin()->first.str();
  if (const json::Array *Doc = Edit->getArray("documentChanges"))
    for (const json::Value &Change : *Doc)
      if (const json::Object *O = Change.getAsObject())
        if (const json::Object *TD = O->getObject("textDocument"))
          if (auto Uri = TD->getString("uri"))
            return Uri->str();
  return "";
}

} // namespace

void MessageRewriter::sawCall(StringRef Method, const json::Value &ID) {
  if (Method != "textDocument/codeAction")
    return;
  std::lock_guard<std::mutex> Lock(Mu);
  PendingCodeActions.insert(keyText(ID));
}

void MessageRewriter::rewriteNotification(StringRef Method,
                                          json::Value &Params) {
  if (Method != "textDocument/publishDiagnostics")
    return;
  json::Object *P = Params.getAsObject();
  if (!P)
    return;
  std::string Uri = P->getString("uri").value_or("").str();
  if (json::Array *Diags = P->getArray("diagnostics"))
    for (json::Value &D : *Diags)
      if (json::Object *O = D.getAsObject(); O && isFanout(*O))
        rewriteDiagnostic(Uri, *O);
}

void MessageRewriter::rewriteDiagnostic(StringRef Uri, json::Object &Diag) {
  StringRef Code = *Diag.getString("code");
  std::string Page = checkPageUri(Code, ExePath);
  if (Page.empty())
    Diag.erase("codeDescription");
  else
    Diag["codeDescription"] = json::Object{{"href", Page}};
  // The notes: related information, or folded into the message when the
  // client cannot show related information.
  std::vector<std::string> Texts;
  if (const json::Array *Related = Diag.getArray("relatedInformation"))
    for (const json::Value &R : *Related)
      if (const json::Object *O = R.getAsObject())
        if (auto M = O->getString("message"))
          Texts.push_back(M->str());
  if (Texts.empty()) {
    SmallVector<StringRef, 16> Lines;
    Diag.getString("message").value_or("").split(Lines, '\n');
    for (StringRef L : Lines)
      if (size_t At = L.find_insensitive("fix: "); At != StringRef::npos)
        Texts.push_back(L.drop_front(At).str());
  }
  {
    std::lock_guard<std::mutex> Lock(Mu);
    Notes[diagKey(Uri, Diag)] = Texts;
    Notes[diagKey("", Diag)] = Texts;
  }
  // Code actions embedded in the diagnostic (clients that ask for them).
  if (json::Array *Actions = Diag.getArray("codeActions"))
    rewriteActions(*Actions, Uri, &Diag);
}

void MessageRewriter::rewriteReply(const json::Value &ID, json::Value &Result) {
  {
    std::lock_guard<std::mutex> Lock(Mu);
    if (!PendingCodeActions.erase(keyText(ID)))
      return;
  }
  if (json::Array *Actions = Result.getAsArray())
    rewriteActions(*Actions, "", nullptr);
}

void MessageRewriter::rewriteActions(json::Array &Actions, StringRef Uri,
                                     const json::Object *Embedding) {
  // clangd lists a diagnostic's fixes in order: its own fix (if it has one),
  // the fixes its notes carry, then NOLINT suppressions.
  std::set<std::string> Seen;
  for (json::Value &A : Actions) {
    json::Object *Action = A.getAsObject();
    if (!Action || Action->getString("kind") != StringRef("quickfix"))
      continue;
    const json::Object *Diag = Embedding;
    if (!Diag)
      if (const json::Array *Ds = Action->getArray("diagnostics"))
        if (!Ds->empty())
          Diag = Ds->front().getAsObject();
    if (!Diag || !isFanout(*Diag))
      continue;
    StringRef Title = Action->getString("title").value_or("");
    if (Title.starts_with("suppress this warning with NOLINT")) {
      Action->erase("isPreferred");
      continue;
    }
    std::string ActionUri = Uri.empty() ? editedUri(*Action) : Uri.str();
    bool First = Seen.insert(diagKey("", *Diag)).second;
    StringRef Message = headline(Diag->getString("message").value_or(""));
    bool Synthetic = Title.starts_with("change '") ||
                     Title.starts_with("insert '") ||
                     Title.starts_with("remove '");
    // clangd capitalizes the diagnostic's message, not the fix's.
    bool Main = First && (Title.equals_insensitive(Message) || Synthetic ||
                          Title.starts_with_insensitive(Message));
    if (!Main) {
      Action->erase("isPreferred");
      (*Action)["title"] = fixTitle(Title);
      continue;
    }
    std::vector<std::string> Texts;
    {
      std::lock_guard<std::mutex> Lock(Mu);
      auto It = Notes.find(diagKey(ActionUri, *Diag));
      if (It == Notes.end())
        It = Notes.find(diagKey("", *Diag));
      if (It != Notes.end())
        Texts = It->second;
    }
    std::string New;
    for (const std::string &T : Texts)
      if (StringRef(T).starts_with_insensitive("fix: ")) {
        New = fixTitle(T);
        break;
      }
    if (New.empty())
      New = "apply the " + Diag->getString("code")->str() + " fix";
    (*Action)["title"] = New;
    (*Action)["isPreferred"] = true;
  }
}

} // namespace fanout::clangd

//===----------------------------------------------------------------------===//
// The transport: clangd's Transport interface (clangd/Transport.h, stable
// since LLVM 8), declared here because clangd installs no headers. The
// declaration must match clangd's: the same virtual functions, in the same
// order.
//===----------------------------------------------------------------------===//
namespace clang::clangd {
class Transport {
public:
  virtual ~Transport() = default;
  virtual void notify(llvm::StringRef Method, llvm::json::Value Params) = 0;
  virtual void call(llvm::StringRef Method, llvm::json::Value Params,
                    llvm::json::Value ID) = 0;
  virtual void reply(llvm::json::Value ID,
                     llvm::Expected<llvm::json::Value> Result) = 0;
  class MessageHandler {
  public:
    virtual ~MessageHandler() = default;
    virtual bool onNotify(llvm::StringRef Method, llvm::json::Value) = 0;
    virtual bool onCall(llvm::StringRef Method, llvm::json::Value Params,
                        llvm::json::Value ID) = 0;
    virtual bool onReply(llvm::json::Value ID,
                         llvm::Expected<llvm::json::Value> Result) = 0;
  };
  virtual llvm::Error loop(MessageHandler &) = 0;
};
enum JSONStreamStyle { Standard, Delimited };
} // namespace clang::clangd

namespace {

using clang::clangd::Transport;

/// Passes every message through, rewriting fanout-* ones on the way out.
class RewritingTransport : public Transport {
public:
  RewritingTransport(std::unique_ptr<Transport> Inner, std::string ExePath)
      : Inner(std::move(Inner)), Rewriter(std::move(ExePath)) {}

  void notify(llvm::StringRef Method, llvm::json::Value Params) override {
    Rewriter.rewriteNotification(Method, Params);
    Inner->notify(Method, std::move(Params));
  }
  void call(llvm::StringRef Method, llvm::json::Value Params,
            llvm::json::Value ID) override {
    Inner->call(Method, std::move(Params), std::move(ID));
  }
  void reply(llvm::json::Value ID,
             llvm::Expected<llvm::json::Value> Result) override {
    if (Result)
      Rewriter.rewriteReply(ID, *Result);
    Inner->reply(std::move(ID), std::move(Result));
  }

  llvm::Error loop(MessageHandler &Handler) override {
    // Incoming requests: seen on their way to clangd.
    class Watching : public MessageHandler {
    public:
      Watching(MessageHandler &Inner, fanout::clangd::MessageRewriter &R)
          : Inner(Inner), R(R) {}
      bool onNotify(llvm::StringRef Method, llvm::json::Value P) override {
        return Inner.onNotify(Method, std::move(P));
      }
      bool onCall(llvm::StringRef Method, llvm::json::Value P,
                  llvm::json::Value ID) override {
        R.sawCall(Method, ID);
        return Inner.onCall(Method, std::move(P), std::move(ID));
      }
      bool onReply(llvm::json::Value ID,
                   llvm::Expected<llvm::json::Value> Result) override {
        return Inner.onReply(std::move(ID), std::move(Result));
      }

    private:
      MessageHandler &Inner;
      fanout::clangd::MessageRewriter &R;
    } W(Handler, Rewriter);
    return Inner->loop(W);
  }

private:
  std::unique_ptr<Transport> Inner;
  fanout::clangd::MessageRewriter Rewriter;
};

std::string &exePath() {
  static std::string Path;
  return Path;
}

} // namespace

void fanoutSetExecutablePath(std::string Path) { exePath() = std::move(Path); }

// clangdMain makes its transport with clang::clangd::newJSONTransport; the
// link wraps it (--wrap, see CMakeLists.txt) so the transport it gets is ours
// around clangd's. FANOUT_NEW_TRANSPORT_SYMBOL: its linker name.
std::unique_ptr<Transport> fanoutRealNewJSONTransport(
    std::FILE *In, llvm::raw_ostream &Out, llvm::raw_ostream *InMirror,
    bool Pretty,
    clang::clangd::JSONStreamStyle
        Style) __asm__("__real_" FANOUT_NEW_TRANSPORT_SYMBOL);
std::unique_ptr<Transport> fanoutWrapNewJSONTransport(
    std::FILE *In, llvm::raw_ostream &Out, llvm::raw_ostream *InMirror,
    bool Pretty,
    clang::clangd::JSONStreamStyle
        Style) __asm__("__wrap_" FANOUT_NEW_TRANSPORT_SYMBOL);

std::unique_ptr<Transport>
fanoutWrapNewJSONTransport(std::FILE *In, llvm::raw_ostream &Out,
                           llvm::raw_ostream *InMirror, bool Pretty,
                           clang::clangd::JSONStreamStyle Style) {
  return std::make_unique<RewritingTransport>(
      fanoutRealNewJSONTransport(In, Out, InMirror, Pretty, Style), exePath());
}
