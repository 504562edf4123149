//===- main.cpp - fanout-audit: audit a code base with the fanout checks --===//
//
//   fanout-audit -p build [filters...] [--format=text|json|sarif] [-o FILE]
//   fanout-audit merge shard1.json shard2.json --format=sarif -o all.sarif
//
// Runs the enabled clang-tidy checks (by default the fanout-* ones, as the
// project's .clang-tidy configures them) over every TU of a compilation
// database, in parallel worker processes, and reports each finding once
// however many TUs include it. See docs/audit.md.
//
// Exit codes: 0 no (new) findings; 1 (new) findings; 2 usage or tool error,
// including every TU failing and, with --keep-going=false, any TU failing;
// 3 analysed with failures (some TUs could not be analysed).
//
//===----------------------------------------------------------------------===//
#include "Analyze.h"
#include "Baseline.h"
#include "CheckDocs.h"
#include "Progress.h"
#include "Runner.h"
#include "Sources.h"
#include "Writers.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include <chrono>
#include <map>
#include <optional>
#include <set>

using namespace llvm;
using namespace fanout::audit;

// The checks are linked from a static library: referencing the module's
// anchor keeps its object file, and so its registration with clang-tidy.
namespace clang::tidy {
extern volatile int FanoutTidyModuleAnchorSource;
[[maybe_unused]] static int FanoutTidyModuleAnchorDestination =
    FanoutTidyModuleAnchorSource;
} // namespace clang::tidy

namespace {

enum ExitCode {
  ExitClean = 0,
  ExitFindings = 1,
  ExitError = 2,
  ExitIncomplete = 3
};

cl::OptionCategory Category("fanout-audit options");

cl::list<std::string>
    Inputs(cl::Positional,
           cl::desc("[<file or directory>...] | <report.json>..."),
           cl::cat(Category));
cl::opt<std::string>
    BuildPath("p",
              cl::desc("Build directory containing compile_commands.json (or "
                       "the database file itself). Default: the current "
                       "directory."),
              cl::value_desc("dir"), cl::cat(Category));
cl::opt<unsigned> Jobs("j",
                       cl::desc("TUs analysed in parallel (default, or 0: "
                                "all cores)"),
                       cl::value_desc("n"), cl::init(0), cl::Prefix,
                       cl::cat(Category));
cl::alias JobsLong("jobs", cl::desc("Alias for -j"), cl::aliasopt(Jobs),
                   cl::NotHidden);
cl::opt<std::string>
    Checks("checks",
           cl::desc("Check globs, appended to the .clang-tidy 'Checks'. "
                    "Without it only the fanout-* checks run, as the "
                    ".clang-tidy files configure them (they can turn them "
                    "off)"),
           cl::cat(Category));
cl::opt<std::string>
    HeaderFilter("header-filter",
                 cl::desc("Regex of the headers to report findings from "
                          "(default: '.*', every non-system header; overrides "
                          ".clang-tidy)"),
                 cl::cat(Category));
cl::opt<std::string> WarningsAsErrors(
    "warnings-as-errors",
    cl::desc("Check globs whose findings are reported as errors"),
    cl::cat(Category));
cl::list<std::string> ExtraArgs("extra-arg",
                                cl::desc("Compiler argument to append"),
                                cl::cat(Category));
cl::list<std::string> ExtraArgsBefore("extra-arg-before",
                                      cl::desc("Compiler argument to prepend"),
                                      cl::cat(Category));
cl::opt<Format> OutputFormat(
    "format", cl::desc("Report format"), cl::init(Format::Text),
    cl::values(clEnumValN(Format::Text, "text", "clang-tidy style (default)"),
               clEnumValN(Format::Json, "json",
                          "JSON report (input of 'merge')"),
               clEnumValN(Format::Sarif, "sarif", "SARIF 2.1.0"),
               clEnumValN(Format::CodeQuality, "codequality",
                          "GitLab Code Quality (Code Climate JSON)"),
               clEnumValN(Format::Html, "html",
                          "one self-contained HTML page for reviewers")),
    cl::cat(Category));
cl::opt<std::string> OutputFile("o",
                                cl::desc("Write the report to <file> "
                                         "(atomically) instead of stdout"),
                                cl::value_desc("file"), cl::cat(Category));
cl::opt<bool> ShowFixes("show-fixes",
                        cl::desc("Text report: each finding's fix, and each "
                                 "alternative, as a diff"),
                        cl::cat(Category));
cl::opt<std::string> DocsUrl(
    "docs-url",
    cl::desc("Base URL of the check pages (docs/checks of fanout-tidy's "
             "repository) for the SARIF and HTML links. Default: the pages "
             "installed with fanout-audit, as file:// URIs"),
    cl::value_desc("url"), cl::init(FANOUT_DOCS_URL), cl::cat(Category));
cl::opt<std::string>
    ExportFixes("export-fixes",
                cl::desc("Write the findings' fixes as clang-tidy YAML for "
                         "clang-apply-replacements"),
                cl::value_desc("file"), cl::cat(Category));
cl::opt<std::string>
    BaselineFile("baseline",
                 cl::desc("Report only findings not recorded in <file>"),
                 cl::value_desc("file"), cl::cat(Category));
cl::opt<std::string>
    WriteBaselineFile("write-baseline",
                      cl::desc("Record every current finding in <file>"),
                      cl::value_desc("file"), cl::cat(Category));
cl::opt<bool> KeepGoing(
    "keep-going",
    cl::desc("Keep going when a TU fails to parse, times out or crashes "
             "(default; the exit code is then 3); --keep-going=false stops "
             "and exits with 2"),
    cl::init(true), cl::cat(Category));
cl::opt<double> Timeout("timeout",
                        cl::desc("Per-TU time limit in seconds; 0 for none "
                                 "(default: 300)"),
                        cl::value_desc("seconds"), cl::init(300),
                        cl::cat(Category));
cl::opt<std::string>
    Shard("shard",
          cl::desc("Analyse only shard K of N (TUs sorted by path, dealt "
                   "round-robin); merge the shards' JSON reports with "
                   "'fanout-audit merge'"),
          cl::value_desc("K/N"), cl::cat(Category));
cl::opt<bool> Merge("merge",
                    cl::desc("Merge JSON reports given as arguments (same as "
                             "the 'merge' subcommand)"),
                    cl::cat(Category));
cl::opt<std::string>
    RootDir("root",
            cl::desc("Directory that report paths are relative to (default: "
                     "the enclosing git work tree, else the deepest common "
                     "directory of the build directory and the TUs)"),
            cl::value_desc("dir"), cl::cat(Category));
enum class ProgressChoice { Auto, Bar, Lines, None };
cl::opt<ProgressChoice> ProgressStyle(
    "progress", cl::desc("Progress display on stderr"),
    cl::init(ProgressChoice::Auto),
    cl::values(clEnumValN(ProgressChoice::Auto, "auto",
                          "a bar on a terminal, lines otherwise (default)"),
               clEnumValN(ProgressChoice::Bar, "bar", "a progress bar"),
               clEnumValN(ProgressChoice::Lines, "lines", "a line per TU"),
               clEnumValN(ProgressChoice::None, "none", "nothing")),
    cl::cat(Category));
cl::opt<bool> Quiet("quiet",
                    cl::desc("No progress and no summary (errors, and the "
                             "TUs that failed, are still printed)"),
                    cl::cat(Category));
cl::opt<std::string>
    ResourceDir("resource-dir",
                cl::desc("Clang resource directory for parsing (default: the "
                         "one of the LLVM fanout-audit was built with)"),
                cl::value_desc("dir"), cl::cat(Category));
cl::opt<std::string> DocsDir(
    "docs-dir",
    cl::desc("Read check documentation for SARIF rules from <dir>/<check>.md "
             "(default: the docs/checks embedded at build time)"),
    cl::value_desc("dir"), cl::cat(Category));
cl::opt<bool> InProcess(
    "in-process",
    cl::desc("Analyse TUs one by one in this process: no worker processes, "
             "no time limit, no crash isolation (for debugging)"),
    cl::cat(Category));
cl::opt<bool> ListUnits("list-units",
                        cl::desc("Print the TUs this run would analyse (after "
                                 "filters and --shard) and exit"),
                        cl::cat(Category));

/// A usage or tool error: message on stderr, exit code 2.
int fail(const Twine &Message) {
  WithColor::error(errs(), "fanout-audit") << Message << "\n";
  return ExitError;
}

bool parseShard(StringRef Spec, unsigned &K, unsigned &N) {
  auto [KText, NText] = Spec.split('/');
  return !KText.getAsInteger(10, K) && !NText.getAsInteger(10, N) && N >= 1 &&
         K >= 1 && K <= N;
}

std::string findRoot(StringRef BuildDir, ArrayRef<WorkItem> Items) {
  std::vector<std::string> Paths;
  for (const WorkItem &I : Items)
    Paths.push_back(I.File);
  std::string Sources = commonDirectory(Paths);
  // The git work tree holding the sources, when there is one.
  for (StringRef Dir = Sources; !Dir.empty();
       Dir = sys::path::parent_path(Dir)) {
    SmallString<256> Git(Dir);
    sys::path::append(Git, ".git");
    if (sys::fs::exists(Git))
      return Dir.str();
  }
  // Else the directory holding both the build and the sources (a build tree
  // inside the source tree), unless that is the whole file system.
  Paths.push_back((BuildDir + "/.").str());
  std::string Common = commonDirectory(Paths);
  return Common == "/" ? Sources : Common;
}

ProgressMode progressMode() {
  if (Quiet)
    return ProgressMode::None;
  switch (ProgressStyle) {
  case ProgressChoice::Bar:
    return ProgressMode::Bar;
  case ProgressChoice::Lines:
    return ProgressMode::Lines;
  case ProgressChoice::None:
    return ProgressMode::None;
  case ProgressChoice::Auto:
    break;
  }
  return sys::Process::StandardErrIsDisplayed() ? ProgressMode::Bar
                                                : ProgressMode::Lines;
}

void printSummary(const Report &R, bool Merged) {
  raw_ostream &OS = errs();
  unsigned Ok = R.countUnits(TUStatus::Ok);
  OS << "fanout-audit summary";
  if (R.ShardCount)
    OS << formatv(" (shard {0}/{1})", R.ShardIndex, R.ShardCount);
  if (Merged)
    OS << " (merged)";
  OS << "\n";
  OS << formatv("  translation units: {0} ({1} analysed, {2} failed to parse, "
                "{3} timed out, {4} crashed)\n",
                R.Units.size(), Ok, R.countUnits(TUStatus::Failed),
                R.countUnits(TUStatus::TimedOut),
                R.countUnits(TUStatus::Crashed));
  OS << "  findings: " << R.Findings.size();
  if (R.BaselineApplied)
    OS << " new (" << R.BaselineSuppressed << " in baseline)";
  OS << "\n";
  for (const auto &[Check, Count] : R.findingsPerCheck())
    OS << formatv("    {0,-40} {1,5}\n", Check, Count);
  if (R.BaselineApplied && !R.BaselineResolved.empty()) {
    OS << "  resolved baseline entries (fixed, or a line of theirs edited; "
          "--write-baseline removes them): "
       << R.BaselineResolved.size() << "\n";
    for (const ResolvedEntry &E : R.BaselineResolved)
      OS << formatv("    {0}:{1}: {2} [{3}]\n", E.File, E.Line, E.Message,
                    E.Check);
  }
  std::map<std::string, unsigned> Dropped;
  for (const TUResult &U : R.Units)
    for (const std::string &A : U.DroppedArguments)
      ++Dropped[A];
  if (!Dropped.empty()) {
    OS << "  arguments clang does not know, dropped:";
    for (const auto &[Arg, Count] : Dropped)
      OS << " " << Arg << " (" << Count << " TU" << (Count == 1 ? "" : "s")
         << ")";
    OS << "\n";
  }
  OS << "  time: " << formatDuration(R.Seconds);
  if (R.Jobs)
    OS << " with " << R.Jobs << " job" << (R.Jobs == 1 ? "" : "s");
  OS << "\n";
  if (Ok != R.Units.size()) {
    OS << "  failed translation units:\n";
    for (const TUResult &U : R.Units)
      if (U.Status != TUStatus::Ok)
        OS << "    " << U.File << ": " << describeFailure(U) << "\n";
  }
}

/// An output path must be writable before the audit starts, not after it:
/// its directory must exist and take a new file (the report is written to a
/// temporary file there, then renamed).
std::optional<std::string> checkWritable(StringRef Option, StringRef Path) {
  if (Path.empty() || Path == "-")
    return std::nullopt;
  if (sys::fs::is_directory(Path))
    return (Option + " '" + Path + "' is a directory").str();
  StringRef Dir = sys::path::parent_path(Path);
  if (Dir.empty())
    Dir = ".";
  if (!sys::fs::is_directory(Dir))
    return (Option + " '" + Path + "': no directory '" + Dir + "'").str();
  SmallString<256> Probe(Dir);
  sys::path::append(Probe, ".fanout-audit-probe-%%%%%%");
  int FD;
  SmallString<256> Created;
  if (std::error_code EC = sys::fs::createUniqueFile(Probe, FD, Created))
    return (Option + " '" + Path + "' cannot be written: " + EC.message())
        .str();
  sys::Process::SafelyCloseFileDescriptor(FD);
  sys::fs::remove(Created);
  return std::nullopt;
}

Error writeOutput(StringRef Path, function_ref<void(raw_ostream &)> Write) {
  return writeToOutput(Path.empty() ? StringRef("-") : Path,
                       [&](raw_ostream &OS) {
                         Write(OS);
                         return Error::success();
                       });
}

/// Colours for the text report: LLVM's own --color (on a terminal by
/// default, --color to force, --color=false to refuse).
bool useColor(raw_ostream &OS) {
  if (OutputFormat != Format::Text)
    return false;
  return WithColor(OS).colorsEnabled();
}

/// Baselines, report, fixes, summary and the exit code: the same for an audit
/// and a merge.
int finish(Report R, SourceCache &Sources, bool Merged,
           const std::optional<Baseline> &Old,
           const std::optional<Baseline> &Previous) {
  if (!WriteBaselineFile.empty()) {
    BaselineWriteStats Stats;
    if (Error E = writeBaseline(WriteBaselineFile, R,
                                Previous ? &*Previous : nullptr, Stats))
      return fail("cannot write baseline: " + toString(std::move(E)));
    if (!Quiet) {
      errs() << "fanout-audit: wrote " << Stats.Written
             << " baseline entries to " << WriteBaselineFile;
      if (Stats.Kept)
        errs() << " (" << Stats.Kept
               << " kept from files this run did not analyse)";
      errs() << "\n";
      for (const ResolvedEntry &E : Stats.Removed)
        errs() << formatv("fanout-audit: removed resolved baseline entry "
                          "{0}:{1}: {2} [{3}]\n",
                          E.File, E.Line, E.Message, E.Check);
    }
  }
  if (Old)
    applyBaseline(R, *Old);
  Error E = writeOutput(OutputFile, [&](raw_ostream &OS) {
    switch (OutputFormat) {
    case Format::Text: {
      bool Colors = useColor(OS);
      OS.enable_colors(Colors);
      TextOptions Options;
      Options.ShowFixes = ShowFixes;
      writeText(OS, R, Sources, Options);
      OS.enable_colors(false);
      break;
    }
    case Format::Json:
      writeJson(OS, R);
      break;
    case Format::Sarif:
      writeSarif(OS, R, DocsDir, DocsUrl);
      break;
    case Format::CodeQuality:
      writeCodeQuality(OS, R);
      break;
    case Format::Html:
      writeHtml(OS, R, Sources, DocsUrl);
      break;
    }
  });
  if (E)
    return fail("cannot write the report: " + toString(std::move(E)));
  if (!ExportFixes.empty())
    if (Error E = writeOutput(ExportFixes,
                              [&](raw_ostream &OS) { writeFixes(OS, R); }))
      return fail("cannot write fixes: " + toString(std::move(E)));
  if (!Quiet)
    printSummary(R, Merged);

  unsigned Ok = R.countUnits(TUStatus::Ok);
  unsigned Failed = R.Units.size() - Ok;
  if (Failed && Quiet)
    // Quiet drops the progress and the summary, not the failures.
    for (const TUResult &U : R.Units)
      if (U.Status != TUStatus::Ok)
        WithColor::error(errs(), "fanout-audit")
            << U.File << ": " << describeFailure(U) << "\n";
  if (!KeepGoing && Failed) {
    const TUResult *First = nullptr;
    for (const TUResult &U : R.Units)
      if (U.Status != TUStatus::Ok && !First)
        First = &U;
    return fail(formatv("stopped after a translation unit failed "
                        "(--keep-going=false): {0}: {1}",
                        First->File, describeFailure(*First))
                    .str());
  }
  if (!R.Units.empty() && Ok == 0)
    return fail("no translation unit could be analysed");
  if (Failed) {
    // A gate must not pass on a partly broken database: the findings are in
    // the report, but the TUs that failed were not looked at.
    WithColor::error(errs(), "fanout-audit")
        << formatv("{0} of {1} translation units could not be analysed "
                   "(exit code 3: analysed with failures)\n",
                   Failed, R.Units.size());
    return ExitIncomplete;
  }
  // Recording a baseline accepts what it records; only findings that are new
  // against a given baseline, or any finding without one, fail the run.
  if (!WriteBaselineFile.empty() && BaselineFile.empty())
    return ExitClean;
  return R.Findings.empty() ? ExitClean : ExitFindings;
}

int runMerge(const std::optional<Baseline> &Old,
             const std::optional<Baseline> &Previous) {
  if (Inputs.empty())
    return fail("merge: no JSON report given");
  if (!BuildPath.empty() || !Shard.empty() || ListUnits)
    return fail("merge: -p, --shard and --list-units apply to audits only");
  std::vector<Report> Reports;
  for (const std::string &Path : Inputs) {
    Expected<Report> R = readReport(Path);
    if (!R)
      return fail(toString(R.takeError()));
    Reports.push_back(std::move(*R));
  }
  std::string Root =
      RootDir.empty() ? Reports.front().Root : canonicalPath(RootDir);
  SourceCache Sources;
  ReportBuilder Builder(Root, Sources);
  Report &Header = Builder.header();
  // Shards cover the database together when all N of them are merged.
  std::set<unsigned> ShardsSeen;
  unsigned ShardCount = 0;
  for (Report &R : Reports) {
    Header.Seconds = std::max(Header.Seconds, R.Seconds);
    Header.Jobs = std::max(Header.Jobs, R.Jobs);
    Header.Filtered |= R.Filtered;
    if (R.ShardCount) {
      ShardCount = R.ShardCount;
      ShardsSeen.insert(R.ShardIndex);
    }
    Header.EnabledChecks.insert(R.EnabledChecks.begin(), R.EnabledChecks.end());
    for (TUResult &U : R.Units) {
      if (Builder.hasUnit(U.File)) {
        WithColor::warning(errs(), "fanout-audit")
            << U.File << " is in more than one report; keeping the first\n";
        continue;
      }
      Builder.addResolved(std::move(U));
    }
    for (Finding &F : R.Findings)
      Builder.addFinding(std::move(F));
  }
  if (ShardCount && ShardsSeen.size() != ShardCount)
    Header.Filtered = true;
  return finish(Builder.take(), Sources, /*Merged=*/true, Old, Previous);
}

int runAudit(const std::optional<Baseline> &Old,
             const std::optional<Baseline> &Previous) {
  auto Start = std::chrono::steady_clock::now();
  std::string DbPath = BuildPath.empty() ? std::string(".") : BuildPath;
  std::string Error;
  std::unique_ptr<clang::tooling::CompilationDatabase> DB =
      loadCompilationDatabase(DbPath, Error);
  if (!DB)
    return fail("cannot load the compilation database: " + Error);
  std::string BuildDir = canonicalPath(sys::fs::is_directory(DbPath)
                                           ? StringRef(DbPath)
                                           : sys::path::parent_path(DbPath));
  if (BuildDir.empty())
    BuildDir = canonicalPath(".");

  // Every file of the database once, by canonical path.
  std::vector<WorkItem> All;
  StringMap<bool> Seen;
  for (const std::string &File : DB->getAllFiles()) {
    std::string Canonical = canonicalPath(File);
    if (Seen.try_emplace(Canonical, true).second)
      All.push_back({File, Canonical});
  }
  llvm::sort(All, [](const WorkItem &A, const WorkItem &B) {
    return A.File < B.File;
  });
  if (All.empty())
    return fail("the compilation database has no entries");
  std::string Root =
      RootDir.empty() ? findRoot(BuildDir, All) : canonicalPath(RootDir);

  std::vector<WorkItem> Selected;
  if (Inputs.empty()) {
    Selected = All;
  } else {
    std::vector<std::string> Filters;
    for (const std::string &Input : Inputs) {
      if (!sys::fs::exists(Input))
        return fail("no such file or directory: " + Input);
      Filters.push_back(canonicalPath(Input));
    }
    std::vector<unsigned> Matches(Filters.size());
    for (const WorkItem &Item : All) {
      bool Match = false;
      for (size_t I = 0; I != Filters.size(); ++I)
        if (isWithin(Item.File, Filters[I])) {
          ++Matches[I];
          Match = true;
        }
      if (Match)
        Selected.push_back(Item);
    }
    for (size_t I = 0; I != Filters.size(); ++I)
      if (!Matches[I])
        WithColor::warning(errs(), "fanout-audit")
            << "no translation unit in the database matches '" << Inputs[I]
            << "'\n";
    if (Selected.empty())
      return fail("no translation unit matches the given files");
  }

  unsigned ShardIndex = 0, ShardCount = 0;
  if (!Shard.empty()) {
    if (!parseShard(Shard, ShardIndex, ShardCount))
      return fail("--shard wants K/N with 1 <= K <= N, not '" + Shard + "'");
    std::vector<WorkItem> Mine;
    for (size_t I = 0; I != Selected.size(); ++I)
      if (I % ShardCount == ShardIndex - 1)
        Mine.push_back(Selected[I]);
    Selected = std::move(Mine);
  }
  if (ListUnits) {
    for (const WorkItem &Item : Selected)
      outs() << relativePath(Item.File, Root) << "\n";
    return ExitClean;
  }

  TidySettings Settings;
  if (Checks.getNumOccurrences())
    Settings.Checks = Checks;
  if (HeaderFilter.getNumOccurrences()) {
    std::string RegexError;
    if (!Regex(HeaderFilter).isValid(RegexError))
      return fail("invalid --header-filter: " + RegexError);
    Settings.HeaderFilter = HeaderFilter;
  }
  if (WarningsAsErrors.getNumOccurrences())
    Settings.WarningsAsErrors = WarningsAsErrors;
  Settings.ExtraArgs.assign(ExtraArgs.begin(), ExtraArgs.end());
  Settings.ExtraArgsBefore.assign(ExtraArgsBefore.begin(),
                                  ExtraArgsBefore.end());
  Settings.ResourceDir = ResourceDir;
#ifdef FANOUT_CLANG_RESOURCE_DIR
  if (Settings.ResourceDir.empty() &&
      sys::fs::is_directory(FANOUT_CLANG_RESOURCE_DIR))
    Settings.ResourceDir = FANOUT_CLANG_RESOURCE_DIR;
#endif
  // Like clang-tidy, refuse to run no check at all; a directory whose
  // .clang-tidy turns every check off is fine as long as others do not.
  if (!Selected.empty() && llvm::none_of(Selected, [&](const WorkItem &Item) {
        return !enabledChecksFor(Settings, Item.File).empty();
      }))
    return fail("no checks enabled (see --checks and .clang-tidy)");

  unsigned JobCount =
      Jobs ? unsigned(Jobs) : hardware_concurrency().compute_thread_count();
  RunSettings Run;
  Run.Jobs = InProcess ? 1 : JobCount;
  Run.Timeout = Timeout;
  Run.Isolate = !InProcess;
  Run.KeepGoing = KeepGoing;

  SourceCache Sources;
  ReportBuilder Builder(Root, Sources);
  Progress Display(progressMode(), Selected.size(), errs());
  runUnits(
      Selected, Run,
      [&](const WorkItem &Item) {
        return analyseTranslationUnit(*DB, Item.DbPath, Settings);
      },
      [&](const WorkItem &Item) {
        Display.unitStarted(relativePath(Item.File, Root));
      },
      [&](TUResult R) {
        const TUResult &Stored = Builder.addRaw(std::move(R));
        Display.unitDone(Stored, Builder.uniqueFindings());
      },
      [&] { Display.tick(Builder.uniqueFindings()); });
  Display.finish();

  Report &Header = Builder.header();
  Header.Filtered = !Inputs.empty();
  Header.Jobs = Run.Jobs;
  Header.ShardIndex = ShardIndex;
  Header.ShardCount = ShardCount;
  Header.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  return finish(Builder.take(), Sources, /*Merged=*/false, Old, Previous);
}

} // namespace

int main(int argc, const char **argv) {
  InitLLVM X(argc, argv);
  // "fanout-audit merge a.json b.json" is "fanout-audit --merge a.json b.json".
  std::vector<const char *> Args(argv, argv + argc);
  if (Args.size() > 1 && StringRef(Args[1]) == "merge")
    Args[1] = "--merge";
  cl::HideUnrelatedOptions(Category);
  // LLVM's --color (WithColor) colours the text report: list it with ours.
  if (cl::Option *ColorOption = cl::getRegisteredOptions().lookup("color")) {
    ColorOption->setHiddenFlag(cl::NotHidden);
    ColorOption->Categories.clear();
    ColorOption->addCategory(Category);
    ColorOption->setDescription("Colour the text report (default: when "
                                "stdout is a terminal; --color=false never)");
  }
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "fanout-audit " << FANOUT_AUDIT_VERSION << " (LLVM "
       << LLVM_VERSION_STRING << ")\n";
  });
  std::string Errors;
  raw_string_ostream ErrorStream(Errors);
  if (!cl::ParseCommandLineOptions(
          Args.size(), Args.data(),
          "Audits a code base with the fanout clang-tidy checks.\n\n"
          "  fanout-audit -p <build-dir> [<file or directory>...]\n"
          "  fanout-audit merge <report.json>... [--format=...] [-o FILE]\n\n"
          "Exit codes: 0 no (new) findings, 1 (new) findings, 2 usage or "
          "tool error, 3 analysed with failures (a TU could not be "
          "analysed).\n",
          &ErrorStream)) {
    ErrorStream.flush();
    errs() << Errors;
    return ExitError;
  }
  if (Timeout < 0)
    return fail("--timeout wants a number of seconds >= 0");
  static int Anchor;
  setExecutablePath(sys::fs::getMainExecutable(argv[0], &Anchor));
  // Everything that will be written must be writable before the audit
  // starts.
  for (auto [Option, Path] : {std::pair<StringRef, StringRef>{"-o", OutputFile},
                              {"--export-fixes", ExportFixes},
                              {"--write-baseline", WriteBaselineFile}})
    if (std::optional<std::string> Problem = checkWritable(Option, Path))
      return fail(*Problem);
  // Read the baseline first: a typo in its name should not cost a whole
  // audit, and --write-baseline may name the same file.
  std::optional<Baseline> Old;
  if (!BaselineFile.empty()) {
    Expected<Baseline> B = readBaseline(BaselineFile);
    if (!B)
      return fail(toString(B.takeError()));
    Old = std::move(*B);
  }
  // A baseline being rewritten keeps what the run does not cover and what
  // reviewers added to its entries.
  std::optional<Baseline> Previous;
  if (!WriteBaselineFile.empty() && sys::fs::exists(WriteBaselineFile)) {
    Expected<Baseline> B = readBaseline(WriteBaselineFile);
    if (!B)
      return fail(toString(B.takeError()) +
                  " (--write-baseline rewrites a baseline; remove the file "
                  "to start afresh)");
    Previous = std::move(*B);
  }
  return Merge ? runMerge(Old, Previous) : runAudit(Old, Previous);
}
