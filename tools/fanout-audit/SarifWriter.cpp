//===- SarifWriter.cpp - SARIF 2.1.0 output -------------------------------===//
//
// Written for GitHub code scanning and GitLab, validated in the tests against
// the OASIS SARIF 2.1.0 schema (errata 01). Paths under the report's root are
// relative URIs against the SRCROOT base, which is what code scanning expects
// of a file in the repository; other paths are absolute file:// URIs.
//
//===----------------------------------------------------------------------===//
#include "CheckDocs.h"
#include "Diff.h"
#include "Progress.h"
#include "Sources.h"
#include "Writers.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include <map>

using namespace llvm;

namespace fanout::audit {

namespace {

json::Object artifactLocation(StringRef File) {
  if (File.starts_with("/"))
    return json::Object{{"uri", fileUri(File)}};
  return json::Object{{"uri", uriEscape(File)}, {"uriBaseId", "SRCROOT"}};
}

json::Object physicalLocation(const Location &L) {
  json::Object P{{"artifactLocation", artifactLocation(L.File)}};
  if (L.Pos.Line)
    P["region"] = json::Object{{"startLine", L.Pos.Line},
                               {"startColumn", L.Pos.CharColumn}};
  return P;
}

json::Object region(const Replacement &R) {
  if (R.Begin.Line && R.End.Line)
    return json::Object{{"startLine", R.Begin.Line},
                        {"startColumn", R.Begin.CharColumn},
                        {"endLine", R.End.Line},
                        {"endColumn", R.End.CharColumn}};
  return json::Object{{"byteOffset", R.Offset}, {"byteLength", R.Length}};
}

/// One SARIF fix: the replacements grouped by file, in order.
json::Object fix(std::string Description,
                 const std::vector<Replacement> &Reps) {
  std::map<std::string, json::Array> PerFile;
  for (const Replacement &R : Reps)
    PerFile[R.File].push_back(
        json::Object{{"deletedRegion", region(R)},
                     {"insertedContent", json::Object{{"text", R.Text}}}});
  json::Array Changes;
  for (auto &[File, Replacements] : PerFile)
    Changes.push_back(json::Object{{"artifactLocation", artifactLocation(File)},
                                   {"replacements", std::move(Replacements)}});
  // json::Value keeps a StringRef by reference: give it owned strings.
  return json::Object{
      {"description", json::Object{{"text", std::move(Description)}}},
      {"artifactChanges", std::move(Changes)}};
}

StringRef sarifLevel(Level L) {
  switch (L) {
  case Level::Error:
    return "error";
  case Level::Warning:
    return "warning";
  case Level::Note:
    return "note";
  }
  return "warning";
}

/// SARIF message strings treat [ and ] as link syntax: escape them.
std::string escapeMessage(StringRef Text) {
  std::string Out;
  for (char C : Text) {
    if (C == '[' || C == ']')
      Out += '\\';
    Out += C;
  }
  return Out;
}

/// "FanoutStrandedProducer": SARIF's rule name, an identifier.
std::string ruleName(StringRef Check) {
  std::string Out;
  bool Upper = true;
  for (char C : Check) {
    if (!isAlnum(C)) {
      Upper = true;
      continue;
    }
    Out += Upper ? toUpper(C) : C;
    Upper = false;
  }
  return Out;
}

json::Object rule(StringRef Check, StringRef DocsDir, StringRef DocsUrl) {
  json::Object Rule{{"id", Check.str()}, {"name", ruleName(Check)}};
  std::string Uri = checkPageUri(Check, DocsUrl);
  std::optional<std::string> Doc = checkDocumentation(Check, DocsDir);
  std::string Paragraph = Doc ? firstParagraph(*Doc) : "";
  if (Paragraph.empty()) {
    Paragraph = Check.starts_with("fanout-")
                    ? ("The fanout-tidy check " + Check + ".").str()
                    : ("The clang-tidy check " + Check + ".").str();
  }
  Rule["shortDescription"] = json::Object{{"text", checkTitle(Check)}};
  Rule["fullDescription"] = json::Object{{"text", Paragraph}};
  json::Object Help{{"text", Paragraph}};
  if (Doc)
    Help["markdown"] = absolutizeLinks(*Doc, Uri);
  Rule["help"] = std::move(Help);
  if (!Uri.empty())
    Rule["helpUri"] = Uri;
  Rule["defaultConfiguration"] = json::Object{{"level", "warning"}};
  json::Array Tags{"clang-tidy"};
  json::Object Properties;
  if (Check.starts_with("fanout-")) {
    Tags.push_back("concurrency");
    Tags.push_back("reliability");
    // The checks report a hang only when every consumer (or the producer)
    // can strand, and the tests run each reported program until it hangs.
    Properties["precision"] = "high";
  }
  Properties["problem.severity"] = "warning";
  Properties["tags"] = std::move(Tags);
  Rule["properties"] = std::move(Properties);
  return Rule;
}

json::Object threadFlowLocation(const Location &L, StringRef Message,
                                StringRef Kind) {
  json::Object Step{
      {"location",
       json::Object{{"physicalLocation", physicalLocation(L)},
                    {"message", json::Object{{"text", Message.str()}}}}}};
  if (!Kind.empty())
    Step["kinds"] = json::Array{Kind.str()};
  return Step;
}

} // namespace

void writeSarif(raw_ostream &OS, const Report &R, StringRef DocsDir,
                StringRef DocsUrl) {
  std::set<std::string> Checks = R.EnabledChecks;
  for (const Finding &F : R.Findings)
    Checks.insert(F.Check);
  json::Array Rules;
  StringMap<unsigned> RuleIndex;
  for (const std::string &C : Checks) {
    RuleIndex[C] = Rules.size();
    Rules.push_back(rule(C, DocsDir, DocsUrl));
  }

  json::Array Results;
  for (const Finding &F : R.Findings) {
    // The message links each note to its related location, "[consumer
    // returns here](2)": GitHub shows a related location only when the
    // message links it.
    std::string Text = escapeMessage(F.Message);
    unsigned Id = 0;
    for (const Note &N : F.Notes)
      if (!N.Loc.File.empty())
        Text += formatv("\n- [{0}]({1})", escapeMessage(N.Message), ++Id).str();
    json::Object Result{
        {"ruleId", F.Check},
        {"ruleIndex", RuleIndex.lookup(F.Check)},
        {"level", sarifLevel(F.Severity)},
        {"message", json::Object{{"text", std::move(Text)}}},
        {"partialFingerprints",
         json::Object{{"fanoutAuditFingerprint/v1", F.Fingerprint}}},
    };
    // Configuration errors have no place in the code.
    if (!F.Loc.File.empty())
      Result["locations"] = json::Array{
          json::Object{{"physicalLocation", physicalLocation(F.Loc)}}};
    json::Array Related;
    for (const Note &N : F.Notes) {
      if (N.Loc.File.empty())
        continue;
      Related.push_back(
          json::Object{{"id", Related.size() + 1},
                       {"message", json::Object{{"text", N.Message}}},
                       {"physicalLocation", physicalLocation(N.Loc)}});
    }
    if (!Related.empty())
      Result["relatedLocations"] = std::move(Related);
    // The story as one code flow: the blocking call, then each note in the
    // order the check tells it (the queue, the exits, the spawns, the wait).
    if (!F.Loc.File.empty()) {
      json::Array Steps{threadFlowLocation(F.Loc, F.Message, "call")};
      for (const Note &N : F.Notes)
        if (!N.Loc.File.empty())
          Steps.push_back(threadFlowLocation(N.Loc, N.Message, ""));
      Result["codeFlows"] = json::Array{json::Object{
          {"message", json::Object{{"text", checkTitle(F.Check)}}},
          {"threadFlows",
           json::Array{json::Object{{"locations", std::move(Steps)}}}}}};
    }
    json::Array Fixes;
    if (!F.Fixes.empty())
      Fixes.push_back(fix(mainFixTitle(F), F.Fixes));
    for (const Note &N : F.Notes)
      if (!N.Fixes.empty())
        Fixes.push_back(fix(alternativeFixTitle(N), N.Fixes));
    if (!Fixes.empty())
      Result["fixes"] = std::move(Fixes);
    Result["properties"] =
        json::Object{{"translationUnits", F.TranslationUnits.size()}};
    Results.push_back(std::move(Result));
  }

  json::Array Notifications;
  for (const TUResult &U : R.Units) {
    if (U.Status == TUStatus::Ok)
      continue;
    json::Object N{
        {"level", "error"},
        {"message", json::Object{{"text", U.File + ": " + describeFailure(U)}}},
        {"descriptor", json::Object{{"id", "fanout-audit/tu-" +
                                               statusName(U.Status).str()}}}};
    Location Where;
    Where.File = U.File;
    if (!U.Errors.empty() && U.Errors.front().Loc.Pos.Line)
      Where = U.Errors.front().Loc;
    N["locations"] = json::Array{
        json::Object{{"physicalLocation", physicalLocation(Where)}}};
    Notifications.push_back(std::move(N));
  }
  bool AllAnalysed = R.countUnits(TUStatus::Ok) == R.Units.size();
  json::Object Invocation{{"executionSuccessful", AllAnalysed}};
  if (!Notifications.empty())
    Invocation["toolExecutionNotifications"] = std::move(Notifications);

  std::string RootUri = fileUri(R.Root);
  if (!StringRef(RootUri).ends_with("/"))
    RootUri += "/";
  json::Object Properties{
      {"translationUnits", R.Units.size()},
      {"analysed", R.countUnits(TUStatus::Ok)},
      {"failed", R.Units.size() - R.countUnits(TUStatus::Ok)}};
  if (R.BaselineApplied) {
    Properties["baselineSuppressed"] = R.BaselineSuppressed;
    Properties["baselineResolved"] = R.BaselineResolved.size();
  }
  json::Object Run{
      {"tool",
       json::Object{
           {"driver", json::Object{{"name", "fanout-audit"},
                                   {"version", FANOUT_AUDIT_VERSION},
                                   {"semanticVersion", FANOUT_AUDIT_VERSION},
                                   {"rules", std::move(Rules)}}}}},
      {"originalUriBaseIds",
       json::Object{{"SRCROOT", json::Object{{"uri", RootUri}}}}},
      {"columnKind", "unicodeCodePoints"},
      {"invocations", json::Array{std::move(Invocation)}},
      {"results", std::move(Results)},
      {"properties", std::move(Properties)},
  };
  if (R.ShardCount)
    Run["automationDetails"] =
        json::Object{{"id", formatv("fanout-audit/shard-{0}-of-{1}/",
                                    R.ShardIndex, R.ShardCount)
                                .str()}};
  json::Value Doc = json::Object{
      {"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
                  "schemas/sarif-schema-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", json::Array{std::move(Run)}}};
  OS << formatv("{0:2}", Doc) << "\n";
}

} // namespace fanout::audit
