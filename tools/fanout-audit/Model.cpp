//===- Model.cpp ----------------------------------------------------------===//
#include "Model.h"
#include "Baseline.h"
#include "Sources.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include <cmath>
#include <tuple>

using namespace llvm;

namespace fanout::audit {

static constexpr int ReportFormatVersion = 1;

StringRef levelName(Level L) {
  switch (L) {
  case Level::Note:
    return "note";
  case Level::Warning:
    return "warning";
  case Level::Error:
    return "error";
  }
  llvm_unreachable("unknown level");
}

static std::optional<Level> parseLevel(StringRef Name) {
  if (Name == "note")
    return Level::Note;
  if (Name == "warning")
    return Level::Warning;
  if (Name == "error")
    return Level::Error;
  return std::nullopt;
}

StringRef statusName(TUStatus S) {
  switch (S) {
  case TUStatus::Ok:
    return "ok";
  case TUStatus::Failed:
    return "failed";
  case TUStatus::TimedOut:
    return "timeout";
  case TUStatus::Crashed:
    return "crashed";
  }
  llvm_unreachable("unknown status");
}

static std::optional<TUStatus> parseStatus(StringRef Name) {
  for (TUStatus S :
       {TUStatus::Ok, TUStatus::Failed, TUStatus::TimedOut, TUStatus::Crashed})
    if (statusName(S) == Name)
      return S;
  return std::nullopt;
}

std::string Finding::key() const {
  // Unit and record separators cannot occur in paths or messages we print.
  std::string K;
  raw_string_ostream OS(K);
  auto Fix = [&](const Replacement &R) {
    OS << '\x1e' << R.File << '\x1f' << R.Offset << '\x1f' << R.Length << '\x1f'
       << R.Text;
  };
  OS << Check << '\x1f' << levelName(Severity) << '\x1f' << Message << '\x1f'
     << Loc.File << '\x1f' << Loc.Offset;
  for (const Note &N : Notes) {
    OS << '\x1d' << N.Loc.File << '\x1f' << N.Loc.Offset << '\x1f' << N.Message;
    for (const Replacement &R : N.Fixes)
      Fix(R);
  }
  OS << '\x1d';
  for (const Replacement &R : Fixes)
    Fix(R);
  return K;
}

unsigned Report::countUnits(TUStatus S) const {
  return count_if(Units, [&](const TUResult &U) { return U.Status == S; });
}

bool Report::covers(StringRef File) const {
  if (!Filtered && !ShardCount && countUnits(TUStatus::Ok) == Units.size())
    return true;
  return llvm::any_of(Units, [&](const TUResult &U) {
    return U.Status == TUStatus::Ok && U.File == File;
  });
}

std::map<std::string, unsigned> Report::findingsPerCheck() const {
  std::map<std::string, unsigned> Counts;
  for (const Finding &F : Findings)
    ++Counts[F.Check];
  return Counts;
}

void sortFindings(std::vector<Finding> &Findings) {
  // Keys are computed once: sorting compares them often.
  std::vector<std::pair<std::string, size_t>> Keys;
  Keys.reserve(Findings.size());
  for (size_t I = 0; I != Findings.size(); ++I)
    Keys.emplace_back(Findings[I].key(), I);
  std::vector<size_t> Order(Findings.size());
  for (size_t I = 0; I != Order.size(); ++I)
    Order[I] = I;
  std::stable_sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
    const Finding &FA = Findings[A], &FB = Findings[B];
    return std::tie(FA.Loc.File, FA.Loc.Pos.Line, FA.Loc.Pos.Column,
                    FA.Loc.Offset, FA.Check, FA.Message, Keys[A].first) <
           std::tie(FB.Loc.File, FB.Loc.Pos.Line, FB.Loc.Pos.Column,
                    FB.Loc.Offset, FB.Check, FB.Message, Keys[B].first);
  });
  std::vector<Finding> Sorted;
  Sorted.reserve(Findings.size());
  for (size_t I : Order)
    Sorted.push_back(std::move(Findings[I]));
  Findings = std::move(Sorted);
}

//===----------------------------------------------------------------------===//
// ReportBuilder
//===----------------------------------------------------------------------===//

ReportBuilder::ReportBuilder(std::string Root, SourceCache &Sources)
    : Root(std::move(Root)), Sources(Sources) {
  Out.Root = this->Root;
}

void ReportBuilder::resolve(Location &L) {
  L.File = relativePath(L.File, Root);
  if (auto R = Sources.resolve(absolutePath(L.File, Root), L.Offset))
    L.Pos = R->Pos;
}

void ReportBuilder::resolve(Replacement &Rep) {
  Rep.File = relativePath(Rep.File, Root);
  std::string Abs = absolutePath(Rep.File, Root);
  if (auto R = Sources.resolve(Abs, Rep.Offset))
    Rep.Begin = R->Pos;
  if (auto R = Sources.resolve(Abs, Rep.Offset + Rep.Length))
    Rep.End = R->Pos;
}

void ReportBuilder::resolveFinding(Finding &F) {
  resolve(F.Loc);
  for (Note &N : F.Notes) {
    resolve(N.Loc);
    for (Replacement &R : N.Fixes)
      resolve(R);
  }
  for (Replacement &R : F.Fixes)
    resolve(R);
}

static void relativize(Finding &F, StringRef Root) {
  F.Loc.File = relativePath(F.Loc.File, Root);
  for (Note &N : F.Notes) {
    N.Loc.File = relativePath(N.Loc.File, Root);
    for (Replacement &R : N.Fixes)
      R.File = relativePath(R.File, Root);
  }
  for (Replacement &R : F.Fixes)
    R.File = relativePath(R.File, Root);
}

const TUResult &ReportBuilder::addRaw(TUResult R) {
  R.File = relativePath(R.File, Root);
  for (Finding &E : R.Errors)
    resolveFinding(E);
  for (const std::string &C : R.EnabledChecks)
    Out.EnabledChecks.insert(C);
  R.EnabledChecks.clear();
  R.FindingCount = R.Findings.size();
  for (Finding &F : R.Findings) {
    // The key only needs relative paths and offsets: resolve positions once
    // per unique finding, not once per TU that includes its header.
    relativize(F, Root);
    auto [It, Inserted] = Index.try_emplace(F.key(), Findings.size());
    if (!Inserted) {
      Findings[It->second].TranslationUnits.push_back(R.File);
      continue;
    }
    resolveFinding(F);
    F.FingerprintHash = fingerprintHash(F, [&](const Location &L) {
      auto Text = Sources.line(absolutePath(L.File, Root), L.Pos.Line);
      return Text ? normalizeLineText(*Text) : std::string();
    });
    F.TranslationUnits = {R.File};
    Findings.push_back(std::move(F));
  }
  R.Findings.clear();
  UnitFiles[R.File] = true;
  Out.Units.push_back(std::move(R));
  return Out.Units.back();
}

void ReportBuilder::addResolved(TUResult R) {
  UnitFiles[R.File] = true;
  for (const std::string &C : R.EnabledChecks)
    Out.EnabledChecks.insert(C);
  for (Finding &F : R.Findings)
    addFinding(std::move(F));
  R.Findings.clear();
  Out.Units.push_back(std::move(R));
}

void ReportBuilder::addFinding(Finding F) {
  auto [It, Inserted] = Index.try_emplace(F.key(), Findings.size());
  if (!Inserted) {
    auto &TUs = Findings[It->second].TranslationUnits;
    TUs.insert(TUs.end(), F.TranslationUnits.begin(), F.TranslationUnits.end());
    return;
  }
  Findings.push_back(std::move(F));
}

Report ReportBuilder::take() {
  for (Finding &F : Findings) {
    llvm::sort(F.TranslationUnits);
    F.TranslationUnits.erase(
        std::unique(F.TranslationUnits.begin(), F.TranslationUnits.end()),
        F.TranslationUnits.end());
  }
  sortFindings(Findings);
  numberFingerprints(Findings);
  Out.Findings = std::move(Findings);
  llvm::sort(Out.Units, [](const TUResult &A, const TUResult &B) {
    return A.File < B.File;
  });
  Findings.clear();
  Index.clear();
  return std::move(Out);
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

static void addLocation(json::Object &O, const Location &L) {
  O["file"] = L.File;
  O["offset"] = L.Offset;
  O["line"] = L.Pos.Line;
  O["column"] = L.Pos.Column;
  O["charColumn"] = L.Pos.CharColumn;
}

static json::Value toJSON(const Replacement &R) {
  return json::Object{{"file", R.File},
                      {"offset", R.Offset},
                      {"length", R.Length},
                      {"replacement", R.Text},
                      {"startLine", R.Begin.Line},
                      {"startColumn", R.Begin.Column},
                      {"startCharColumn", R.Begin.CharColumn},
                      {"endLine", R.End.Line},
                      {"endColumn", R.End.Column},
                      {"endCharColumn", R.End.CharColumn}};
}

static json::Array toJSON(const std::vector<Replacement> &Fixes) {
  json::Array A;
  for (const Replacement &R : Fixes)
    A.push_back(toJSON(R));
  return A;
}

json::Value toJSON(const Finding &F) {
  json::Object O{{"check", F.Check},
                 {"level", levelName(F.Severity)},
                 {"message", F.Message}};
  addLocation(O, F.Loc);
  json::Array Notes;
  for (const Note &N : F.Notes) {
    json::Object NO{{"message", N.Message}};
    addLocation(NO, N.Loc);
    if (!N.Fixes.empty())
      NO["fixes"] = toJSON(N.Fixes);
    Notes.push_back(std::move(NO));
  }
  O["notes"] = std::move(Notes);
  O["fixes"] = toJSON(F.Fixes);
  if (!F.Fingerprint.empty())
    O["fingerprint"] = F.Fingerprint;
  if (!F.TranslationUnits.empty())
    O["translationUnits"] = F.TranslationUnits;
  return O;
}

json::Value toJSON(const TUResult &R, bool Worker) {
  json::Object O{{"file", R.File},
                 {"status", statusName(R.Status)},
                 {"seconds", std::round(R.Seconds * 1000) / 1000}};
  json::Array Errors;
  for (const Finding &E : R.Errors)
    Errors.push_back(toJSON(E));
  O["errors"] = std::move(Errors);
  if (!R.Log.empty())
    O["log"] = R.Log;
  if (!R.DroppedArguments.empty())
    O["droppedArguments"] = R.DroppedArguments;
  if (Worker) {
    json::Array Diags;
    for (const Finding &F : R.Findings)
      Diags.push_back(toJSON(F));
    O["diagnostics"] = std::move(Diags);
    O["checks"] = R.EnabledChecks;
  } else {
    O["findings"] = R.FindingCount;
  }
  return O;
}

json::Value toJSON(const Report &R) {
  json::Object ByCheck;
  for (const auto &[Check, Count] : R.findingsPerCheck())
    ByCheck[Check] = Count;
  json::Object Summary{
      {"translationUnits", R.Units.size()},
      {"analysed", R.countUnits(TUStatus::Ok)},
      {"failed", R.countUnits(TUStatus::Failed)},
      {"timedOut", R.countUnits(TUStatus::TimedOut)},
      {"crashed", R.countUnits(TUStatus::Crashed)},
      {"findings", R.Findings.size()},
      {"findingsPerCheck", std::move(ByCheck)},
  };
  if (R.BaselineApplied) {
    Summary["baselineSuppressed"] = R.BaselineSuppressed;
    Summary["baselineResolved"] = R.BaselineResolved.size();
  }
  json::Array Units, Findings;
  for (const TUResult &U : R.Units)
    Units.push_back(toJSON(U, /*Worker=*/false));
  for (const Finding &F : R.Findings)
    Findings.push_back(toJSON(F));
  json::Object O{
      {"tool", json::Object{{"name", "fanout-audit"},
                            {"version", FANOUT_AUDIT_VERSION},
                            {"llvmVersion", LLVM_VERSION_STRING}}},
      {"formatVersion", ReportFormatVersion},
      {"root", R.Root},
      {"jobs", R.Jobs},
      {"seconds", std::round(R.Seconds * 1000) / 1000},
      {"checks", std::vector<std::string>(R.EnabledChecks.begin(),
                                          R.EnabledChecks.end())},
      {"summary", std::move(Summary)},
      {"translationUnits", std::move(Units)},
      {"findings", std::move(Findings)},
  };
  if (R.ShardCount)
    O["shard"] = json::Object{{"index", R.ShardIndex}, {"count", R.ShardCount}};
  if (R.Filtered)
    O["filtered"] = true;
  if (R.BaselineApplied) {
    json::Array Resolved;
    for (const ResolvedEntry &E : R.BaselineResolved)
      Resolved.push_back(json::Object{{"fingerprint", E.Fingerprint},
                                      {"check", E.Check},
                                      {"file", E.File},
                                      {"line", E.Line},
                                      {"message", E.Message}});
    O["resolvedBaselineEntries"] = std::move(Resolved);
  }
  return O;
}

namespace {
/// Reads fields with a path for error messages.
class Reader {
public:
  Reader(const json::Value &V, std::string Where)
      : O(V.getAsObject()), Where(std::move(Where)) {
    if (!O)
      fail("expected an object");
  }
  std::string str(StringRef Key) {
    if (O)
      if (auto S = O->getString(Key))
        return S->str();
    fail(("missing string '" + Key + "'").str());
    return "";
  }
  unsigned num(StringRef Key, bool Required = true) {
    if (O)
      if (auto N = O->getInteger(Key); N && *N >= 0)
        return *N;
    if (Required)
      fail(("missing number '" + Key + "'").str());
    return 0;
  }
  double real(StringRef Key) {
    if (O)
      if (auto N = O->getNumber(Key))
        return *N;
    return 0;
  }
  const json::Array *arr(StringRef Key, bool Required = true) {
    if (O)
      if (const json::Array *A = O->getArray(Key))
        return A;
    if (Required)
      fail(("missing array '" + Key + "'").str());
    return nullptr;
  }
  Location loc() {
    Location L;
    L.File = str("file");
    L.Offset = num("offset");
    L.Pos.Line = num("line", false);
    L.Pos.Column = num("column", false);
    L.Pos.CharColumn = num("charColumn", false);
    return L;
  }
  void fail(std::string Msg) {
    if (Error.empty())
      Error = Where + ": " + Msg;
  }
  llvm::Error error() {
    if (Error.empty())
      return llvm::Error::success();
    return createStringError(inconvertibleErrorCode(), Error);
  }
  const json::Object *O;
  std::string Where;
  std::string Error;
};
} // namespace

static std::vector<Replacement> fixesFromJSON(const json::Array *A,
                                              Reader &Parent) {
  std::vector<Replacement> Out;
  if (!A)
    return Out;
  for (const json::Value &V : *A) {
    Reader R(V, Parent.Where + ".fixes");
    Replacement Rep;
    Rep.File = R.str("file");
    Rep.Offset = R.num("offset");
    Rep.Length = R.num("length");
    Rep.Text = R.str("replacement");
    Rep.Begin = {R.num("startLine", false), R.num("startColumn", false),
                 R.num("startCharColumn", false)};
    Rep.End = {R.num("endLine", false), R.num("endColumn", false),
               R.num("endCharColumn", false)};
    if (!R.Error.empty())
      Parent.fail(R.Error);
    Out.push_back(std::move(Rep));
  }
  return Out;
}

Expected<Finding> findingFromJSON(const json::Value &V) {
  Reader R(V, "finding");
  Finding F;
  F.Check = R.str("check");
  F.Message = R.str("message");
  if (auto L = parseLevel(R.str("level")))
    F.Severity = *L;
  else
    R.fail("bad level");
  F.Loc = R.loc();
  if (const json::Array *Notes = R.arr("notes", false))
    for (const json::Value &NV : *Notes) {
      Reader NR(NV, "finding.notes");
      Note N;
      N.Message = NR.str("message");
      N.Loc = NR.loc();
      N.Fixes = fixesFromJSON(NR.arr("fixes", false), NR);
      if (!NR.Error.empty())
        R.fail(NR.Error);
      F.Notes.push_back(std::move(N));
    }
  F.Fixes = fixesFromJSON(R.arr("fixes", false), R);
  if (R.O)
    if (auto FP = R.O->getString("fingerprint")) {
      F.Fingerprint = FP->str();
      F.FingerprintHash = FP->split(':').first.str();
    }
  if (const json::Array *TUs = R.arr("translationUnits", false))
    for (const json::Value &T : *TUs)
      if (auto S = T.getAsString())
        F.TranslationUnits.push_back(S->str());
  if (!R.Error.empty())
    return R.error();
  return F;
}

Expected<TUResult> unitFromJSON(const json::Value &V) {
  Reader R(V, "translation unit");
  TUResult U;
  U.File = R.str("file");
  if (auto S = parseStatus(R.str("status")))
    U.Status = *S;
  else
    R.fail("bad status");
  U.Seconds = R.real("seconds");
  U.FindingCount = R.num("findings", false);
  if (R.O)
    if (auto Log = R.O->getString("log"))
      U.Log = Log->str();
  if (const json::Array *Errors = R.arr("errors", false))
    for (const json::Value &E : *Errors) {
      Expected<Finding> F = findingFromJSON(E);
      if (!F)
        return F.takeError();
      U.Errors.push_back(std::move(*F));
    }
  if (const json::Array *Diags = R.arr("diagnostics", false))
    for (const json::Value &D : *Diags) {
      Expected<Finding> F = findingFromJSON(D);
      if (!F)
        return F.takeError();
      U.Findings.push_back(std::move(*F));
    }
  if (const json::Array *Checks = R.arr("checks", false))
    for (const json::Value &C : *Checks)
      if (auto S = C.getAsString())
        U.EnabledChecks.push_back(S->str());
  if (const json::Array *Dropped = R.arr("droppedArguments", false))
    for (const json::Value &A : *Dropped)
      if (auto S = A.getAsString())
        U.DroppedArguments.push_back(S->str());
  if (!R.Error.empty())
    return R.error();
  return U;
}

Expected<Report> reportFromJSON(const json::Value &V) {
  Reader R(V, "report");
  if (!R.O)
    return R.error();
  const json::Object *Tool = R.O->getObject("tool");
  if (!Tool || Tool->getString("name") != StringRef("fanout-audit"))
    return createStringError(inconvertibleErrorCode(),
                             "not a fanout-audit JSON report");
  if (R.num("formatVersion") != ReportFormatVersion)
    return createStringError(inconvertibleErrorCode(),
                             "unsupported report format version");
  Report Out;
  Out.Root = R.str("root");
  Out.Jobs = R.num("jobs", false);
  Out.Seconds = R.real("seconds");
  Out.Filtered = R.O->getBoolean("filtered").value_or(false);
  if (const json::Object *Shard = R.O->getObject("shard")) {
    Out.ShardIndex = Shard->getInteger("index").value_or(0);
    Out.ShardCount = Shard->getInteger("count").value_or(0);
  }
  if (const json::Array *Checks = R.arr("checks", false))
    for (const json::Value &C : *Checks)
      if (auto S = C.getAsString())
        Out.EnabledChecks.insert(S->str());
  if (const json::Array *Units = R.arr("translationUnits"))
    for (const json::Value &UV : *Units) {
      Expected<TUResult> U = unitFromJSON(UV);
      if (!U)
        return U.takeError();
      Out.Units.push_back(std::move(*U));
    }
  if (const json::Array *Findings = R.arr("findings"))
    for (const json::Value &FV : *Findings) {
      Expected<Finding> F = findingFromJSON(FV);
      if (!F)
        return F.takeError();
      Out.Findings.push_back(std::move(*F));
    }
  if (!R.Error.empty())
    return R.error();
  return Out;
}

Expected<Report> readReport(StringRef Path) {
  auto Buffer = MemoryBuffer::getFileOrSTDIN(Path, /*IsText=*/true);
  if (!Buffer)
    return createStringError(Buffer.getError(), "cannot read '%s': %s",
                             Path.str().c_str(),
                             Buffer.getError().message().c_str());
  Expected<json::Value> V = json::parse((*Buffer)->getBuffer());
  if (!V)
    return createStringError(inconvertibleErrorCode(), "'%s' is not JSON: %s",
                             Path.str().c_str(),
                             toString(V.takeError()).c_str());
  Expected<Report> R = reportFromJSON(*V);
  if (!R)
    return createStringError(inconvertibleErrorCode(), "'%s': %s",
                             Path.str().c_str(),
                             toString(R.takeError()).c_str());
  return R;
}

} // namespace fanout::audit
