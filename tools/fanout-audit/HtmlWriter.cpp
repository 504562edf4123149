//===- HtmlWriter.cpp - One self-contained HTML page for reviewers --------===//
//
// Everything is in the page: styles, the script of the filters, the code
// excerpts and the diagrams. It loads nothing, so it opens the same from a
// CI artifact, a mail attachment or a machine without network.
//
//   summary      findings per check (linked to the check's page) and per file
//   filters      check, file, free text; also set by the URL's fragment
//                (report.html#check=fanout-stranded-producer&file=src/a.cpp)
//   findings     each a bug report: the message, the story (the blocking
//                call, then every note in order), the threads as a small
//                diagram, the code around each step, and each fix as a diff
//   failures     the TUs that could not be analysed, with the compiler's
//                errors
//
//===----------------------------------------------------------------------===//
#include "CheckDocs.h"
#include "Diff.h"
#include "Progress.h"
#include "Sources.h"
#include "Writers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FormatVariadic.h"
#include <map>
#include <set>

using namespace llvm;

namespace fanout::audit {

namespace {

std::string esc(StringRef S) {
  std::string Out;
  Out.reserve(S.size());
  for (char C : S) {
    switch (C) {
    case '&':
      Out += "&amp;";
      break;
    case '<':
      Out += "&lt;";
      break;
    case '>':
      Out += "&gt;";
      break;
    case '"':
      Out += "&quot;";
      break;
    case '\'':
      Out += "&#39;";
      break;
    default:
      Out += C;
    }
  }
  return Out;
}

/// One step of a finding's story: the blocking call, then each note.
struct Step {
  unsigned Number;
  const Location *Loc;
  std::string Message;
  std::string Lane; ///< Which thread (or object) the step belongs to.
  bool IsFix;       ///< A "fix: ..." or "alternatively, ..." note.
};

/// The thread a step is about, read from its wording: "producer", the
/// "consumers" (or "workers"), the "queue", or the thread that "waits".
std::string laneOf(StringRef Message, bool Main) {
  std::string M = Message.lower();
  StringRef L = M;
  if (Main) {
    if (L.starts_with("producer"))
      return "producer";
    if (L.starts_with("consumer"))
      return "consumers";
    return "waiting thread";
  }
  if (L.contains("queue '") && L.contains("declared"))
    return "queue";
  if (L.contains("producer"))
    return "producer";
  if (L.contains("consumer") || L.contains("worker"))
    return "consumers";
  if (L.contains("wait") || L.contains("join") || L.contains("drained"))
    return "waiting thread";
  return "";
}

std::vector<Step> storyOf(const Finding &F) {
  std::vector<Step> Steps;
  unsigned N = 0;
  Steps.push_back({++N, &F.Loc, F.Message, laneOf(F.Message, true), false});
  for (const Note &Nt : F.Notes) {
    StringRef M = Nt.Message;
    bool IsFix = M.starts_with("fix: ") || M.starts_with("alternatively");
    Steps.push_back(
        {++N, &Nt.Loc, Nt.Message, IsFix ? "" : laneOf(M, false), IsFix});
  }
  return Steps;
}

/// The threads as lanes, the story's steps numbered down them in order.
void writeDiagram(raw_ostream &OS, ArrayRef<Step> Steps) {
  std::vector<std::string> Lanes;
  std::vector<const Step *> Shown;
  for (const Step &S : Steps) {
    if (S.IsFix || S.Lane.empty())
      continue;
    if (!is_contained(Lanes, S.Lane))
      Lanes.push_back(S.Lane);
    Shown.push_back(&S);
  }
  if (Lanes.empty())
    return;
  const unsigned LaneWidth = 150, Top = 34, Row = 30;
  unsigned Width = Lanes.size() * LaneWidth;
  unsigned Height = Top + Shown.size() * Row + 8;
  OS << formatv("<svg class=\"threads\" role=\"img\" width=\"{0}\" "
                "height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                "xmlns=\"http://www.w3.org/2000/svg\">",
                Width, Height);
  OS << "<title>threads and the order of the steps</title>";
  auto X = [&](StringRef Lane) {
    return unsigned(find(Lanes, Lane) - Lanes.begin()) * LaneWidth +
           LaneWidth / 2;
  };
  for (const std::string &Lane : Lanes) {
    OS << formatv("<text class=\"lane\" x=\"{0}\" y=\"16\" "
                  "text-anchor=\"middle\">{1}</text>",
                  X(Lane), esc(Lane));
    OS << formatv("<line class=\"lifeline\" x1=\"{0}\" y1=\"24\" x2=\"{0}\" "
                  "y2=\"{1}\"/>",
                  X(Lane), Height - 4);
  }
  for (size_t I = 0; I != Shown.size(); ++I) {
    unsigned Y = Top + I * Row + Row / 2;
    if (I) {
      unsigned PrevY = Top + (I - 1) * Row + Row / 2;
      OS << formatv("<line class=\"flow\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" "
                    "y2=\"{3}\"/>",
                    X(Shown[I - 1]->Lane), PrevY, X(Shown[I]->Lane), Y);
    }
  }
  for (size_t I = 0; I != Shown.size(); ++I) {
    unsigned Y = Top + I * Row + Row / 2;
    const Step &S = *Shown[I];
    OS << formatv("<g class=\"step{0}\"><title>{1}</title>"
                  "<circle cx=\"{2}\" cy=\"{3}\" r=\"10\"/>"
                  "<text x=\"{2}\" y=\"{4}\" text-anchor=\"middle\">{5}</text>"
                  "</g>",
                  S.Number == 1 ? " main" : "", esc(S.Message), X(S.Lane), Y,
                  Y + 4, S.Number);
  }
  OS << "</svg>";
}

/// The code around each step, file by file, the steps' messages under
/// their lines.
void writeCode(raw_ostream &OS, const Report &R, SourceCache &Sources,
               ArrayRef<Step> Steps) {
  const unsigned Around = 2, Gap = 6;
  // Files in order of first appearance.
  std::vector<std::string> Files;
  for (const Step &S : Steps)
    if (!S.Loc->File.empty() && S.Loc->Pos.Line &&
        !is_contained(Files, S.Loc->File))
      Files.push_back(S.Loc->File);
  for (const std::string &File : Files) {
    std::string Abs = absolutePath(File, R.Root);
    unsigned Count = Sources.lineCount(Abs);
    std::map<unsigned, std::vector<const Step *>> AtLine;
    for (const Step &S : Steps)
      if (S.Loc->File == File && S.Loc->Pos.Line)
        AtLine[S.Loc->Pos.Line].push_back(&S);
    // Excerpts: a few lines around each step, merged when close.
    std::vector<std::pair<unsigned, unsigned>> Ranges;
    for (const auto &[Line, _] : AtLine) {
      unsigned B = Line > Around ? Line - Around : 1;
      unsigned E = std::min(Line + Around, std::max(Count, Line));
      if (!Ranges.empty() && B <= Ranges.back().second + Gap)
        Ranges.back().second = std::max(Ranges.back().second, E);
      else
        Ranges.push_back({B, E});
    }
    OS << "<div class=\"file\"><div class=\"filename\">" << esc(File)
       << "</div><table class=\"src\">";
    for (size_t RI = 0; RI != Ranges.size(); ++RI) {
      if (RI)
        OS << "<tr class=\"skip\"><td></td><td>&#8942;</td></tr>";
      for (unsigned L = Ranges[RI].first; L <= Ranges[RI].second; ++L) {
        std::optional<StringRef> Text = Sources.line(Abs, L);
        auto It = AtLine.find(L);
        bool Marked = It != AtLine.end();
        OS << formatv("<tr class=\"line{0}\" data-line=\"{1}\"><td "
                      "class=\"num\">{1}</td><td><code>{2}</code></td></tr>",
                      Marked ? " marked" : "", L,
                      esc(Text ? *Text : StringRef()));
        if (!Marked)
          continue;
        for (const Step *S : It->second) {
          unsigned Indent = S->Loc->Pos.Column ? S->Loc->Pos.Column - 1 : 0;
          OS << formatv("<tr class=\"bubble{0}\"><td></td><td><div "
                        "style=\"margin-left:{1}ch\"><span class=\"n\">{2}"
                        "</span> {3}</div></td></tr>",
                        S->Number == 1 ? " main"
                        : S->IsFix     ? " fixnote"
                                       : "",
                        std::min(Indent, 80u), S->Number, esc(S->Message));
        }
      }
    }
    OS << "</table></div>";
  }
}

void writeDiff(raw_ostream &OS, const Report &R, SourceCache &Sources,
               StringRef Kind, StringRef Title,
               const std::vector<Replacement> &Fixes) {
  OS << "<div class=\"fix " << Kind << "\"><h4>"
     << (Kind == "main" ? "Fix" : "Alternative fix") << ": " << esc(Title)
     << "</h4>";
  std::vector<FileDiff> Diffs = diffFixes(Fixes, R.Root, Sources);
  if (Diffs.empty()) {
    OS << "<p>(the files it edits have changed or cannot be read)</p></div>";
    return;
  }
  OS << "<pre class=\"diff\">";
  for (const FileDiff &D : Diffs) {
    OS << "<span class=\"hdr\">--- a/" << esc(D.File) << "\n+++ b/"
       << esc(D.File) << "</span>\n";
    for (const Hunk &H : D.Hunks) {
      OS << formatv("<span class=\"hunk\">@@ -{0},{1} +{2},{3} @@</span>\n",
                    H.OldStart, H.OldCount, H.NewStart, H.NewCount);
      for (const DiffLine &L : H.Lines) {
        StringRef Class = L.Kind == '+' ? "add" : L.Kind == '-' ? "del" : "ctx";
        OS << "<span class=\"" << Class << "\">" << L.Kind << esc(L.Text)
           << "</span>\n";
      }
    }
  }
  OS << "</pre></div>";
}

const char *const Style = R"css(
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg2:#f6f8fa;
        --warn:#9a6700; --err:#cf222e; --accent:#0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0;
       padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
a { color: var(--accent); }
.meta { color: var(--muted); margin: 0; }
table.counts { border-collapse: collapse; margin-right: 32px; }
table.counts td, table.counts th { border: 1px solid var(--line);
  padding: 3px 10px; text-align: left; }
table.counts td.count { text-align: right; font-variant-numeric: tabular-nums; }
.tables { display: flex; flex-wrap: wrap; gap: 16px; }
#filters { position: sticky; top: 0; background: #fff; padding: 8px 0;
           border-bottom: 1px solid var(--line); z-index: 1; }
#filters label { margin-right: 16px; }
#shown-count { color: var(--muted); }
article.finding { border: 1px solid var(--line); border-radius: 6px;
                  margin: 16px 0; padding: 12px 16px; }
.level { font-weight: 600; text-transform: uppercase; font-size: 12px;
         padding: 1px 6px; border-radius: 4px; color: #fff; }
.level.warning { background: var(--warn); }
.level.error { background: var(--err); }
.where { color: var(--muted); font-weight: normal; }
.message { margin: 4px 0 10px; font-weight: 500; }
.story { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
ol.steps { margin: 0; padding-left: 24px; flex: 1 1 420px; }
ol.steps li.fixnote { color: #1a7f37; }
ol.steps .loc { color: var(--muted); font-family: ui-monospace, monospace;
                font-size: 12px; }
svg.threads { flex: 0 0 auto; background: var(--bg2); border-radius: 6px; }
svg.threads .lane { font-size: 12px; font-weight: 600; fill: var(--fg); }
svg.threads .lifeline { stroke: #8c959f; stroke-dasharray: 4 3; }
svg.threads .flow { stroke: var(--accent); stroke-width: 1.5; }
svg.threads circle { fill: #fff; stroke: var(--accent); stroke-width: 2; }
svg.threads .main circle { fill: #ffebe9; stroke: var(--err); }
svg.threads text { font-size: 11px; }
.file { margin-top: 10px; border: 1px solid var(--line); border-radius: 6px;
        overflow-x: auto; }
.filename { background: var(--bg2); padding: 3px 10px;
            font-family: ui-monospace, monospace; font-size: 12px;
            border-bottom: 1px solid var(--line); }
table.src { border-collapse: collapse; width: 100%;
            font-family: ui-monospace, monospace; font-size: 12.5px; }
table.src td { padding: 0 8px; white-space: pre; vertical-align: top; }
table.src td.num { color: var(--muted); text-align: right; width: 1%;
                   user-select: none; }
table.src tr.marked { background: #fff8c5; }
table.src tr.bubble td { white-space: normal; padding: 2px 8px 4px; }
table.src tr.bubble div { display: inline-block; background: #ddf4ff;
  border: 1px solid #54aeff; border-radius: 6px; padding: 2px 8px;
  font-family: system-ui, sans-serif; }
table.src tr.bubble.main div { background: #ffebe9; border-color: #ff8182; }
table.src tr.bubble.fixnote div { background: #dafbe1; border-color: #4ac26b; }
table.src tr.skip td { color: var(--muted); }
.n { display: inline-block; min-width: 18px; height: 18px; line-height: 18px;
     border-radius: 9px; background: var(--accent); color: #fff;
     text-align: center; font-size: 11px; font-weight: 600; }
pre.diff { background: var(--bg2); border: 1px solid var(--line);
           border-radius: 6px; padding: 8px 10px; overflow-x: auto;
           font-size: 12.5px; margin: 4px 0; }
pre.diff .add { background: #dafbe1; display: inline-block; min-width: 100%; }
pre.diff .del { background: #ffebe9; display: inline-block; min-width: 100%; }
pre.diff .hunk { color: #8250df; }
pre.diff .hdr { color: var(--muted); }
.failure { border-left: 4px solid var(--err); padding: 4px 12px; margin: 8px 0; }
.empty { color: var(--muted); }
)css";

const char *const Script = R"js(
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var check = byId('filter-check'), file = byId('filter-file'),
      text = byId('filter-text');
  var findings = Array.prototype.slice.call(
      document.querySelectorAll('article.finding'));
  function apply() {
    var c = check.value, f = file.value, q = text.value.toLowerCase();
    var shown = 0;
    findings.forEach(function (a) {
      var ok = (!c || a.getAttribute('data-check') === c) &&
               (!f || a.getAttribute('data-file') === f) &&
               (!q || a.textContent.toLowerCase().indexOf(q) >= 0);
      a.hidden = !ok;
      if (ok) shown++;
    });
    byId('shown-count').textContent =
        shown + ' of ' + findings.length + ' findings shown';
  }
  function fromHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0)
        params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
    });
    // A value with no option (a check without findings) still filters.
    [[check, params.check], [file, params.file]].forEach(function (p) {
      var v = p[1] || '';
      if (v && !Array.prototype.some.call(p[0].options,
                                          function (o) { return o.value === v; }))
        p[0].add(new Option(v, v));
      p[0].value = v;
    });
    text.value = params.q || '';
    apply();
  }
  [check, file].forEach(function (e) { e.addEventListener('change', apply); });
  text.addEventListener('input', apply);
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.body.setAttribute('data-ready', 'true');
})();
)js";

} // namespace

void writeHtml(raw_ostream &OS, const Report &R, SourceCache &Sources,
               StringRef DocsUrl) {
  std::map<std::string, unsigned> PerCheck = R.findingsPerCheck();
  std::map<std::string, unsigned> PerFile;
  for (const Finding &F : R.Findings)
    ++PerFile[F.Loc.File];
  unsigned Ok = R.countUnits(TUStatus::Ok);

  OS << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>fanout-audit: "
     << R.Findings.size() << " finding" << (R.Findings.size() == 1 ? "" : "s")
     << "</title><style>" << Style << "</style></head><body>\n";
  OS << "<header><h1>fanout-audit report</h1><p class=\"meta\">" << esc(R.Root)
     << " &middot; " << R.Units.size() << " translation units (" << Ok
     << " analysed, " << R.Units.size() - Ok << " failed) &middot; "
     << R.Findings.size() << " finding" << (R.Findings.size() == 1 ? "" : "s");
  if (R.BaselineApplied)
    OS << " new (" << R.BaselineSuppressed << " in the baseline, "
       << R.BaselineResolved.size() << " resolved)";
  OS << " &middot; fanout-audit " << FANOUT_AUDIT_VERSION << ", LLVM "
     << LLVM_VERSION_STRING << "</p></header>\n";

  // Summary.
  OS << "<section id=\"summary\"><h2>Summary</h2><div class=\"tables\">"
        "<table class=\"counts\" id=\"by-check\"><tr><th>Check</th>"
        "<th>Findings</th></tr>";
  for (const auto &[Check, Count] : PerCheck) {
    std::string Page = checkPageUri(Check, DocsUrl);
    OS << "<tr data-check=\"" << esc(Check) << "\"><td>";
    if (!Page.empty())
      OS << "<a class=\"doc\" href=\"" << esc(Page) << "\">" << esc(Check)
         << "</a>";
    else
      OS << esc(Check);
    OS << " <a class=\"only\" href=\"#check=" << esc(Check)
       << "\">show only</a></td><td class=\"count\">" << Count << "</td></tr>";
  }
  if (PerCheck.empty())
    OS << "<tr><td colspan=\"2\" class=\"empty\">no findings</td></tr>";
  OS << "</table><table class=\"counts\" id=\"by-file\"><tr><th>File</th>"
        "<th>Findings</th></tr>";
  for (const auto &[File, Count] : PerFile)
    OS << "<tr data-file=\"" << esc(File)
       << "\"><td><a href=\"#file=" << esc(File) << "\">" << esc(File)
       << "</a></td><td class=\"count\">" << Count << "</td></tr>";
  OS << "</table></div></section>\n";

  // Filters.
  OS << "<section id=\"filters\"><label>Check <select id=\"filter-check\">"
        "<option value=\"\">all</option>";
  for (const auto &[Check, _] : PerCheck)
    OS << "<option>" << esc(Check) << "</option>";
  OS << "</select></label><label>File <select id=\"filter-file\">"
        "<option value=\"\">all</option>";
  for (const auto &[File, _] : PerFile)
    OS << "<option>" << esc(File) << "</option>";
  OS << "</select></label><label>Search <input id=\"filter-text\" "
        "type=\"search\" placeholder=\"queue, function...\"></label>"
        "<span id=\"shown-count\"></span></section>\n";

  // Findings.
  OS << "<section id=\"findings\"><h2>Findings</h2>";
  if (R.Findings.empty())
    OS << "<p class=\"empty\">No findings.</p>";
  unsigned Index = 0;
  for (const Finding &F : R.Findings) {
    ++Index;
    std::vector<Step> Steps = storyOf(F);
    std::string Page = checkPageUri(F.Check, DocsUrl);
    OS << formatv("<article class=\"finding\" id=\"finding-{0}\" "
                  "data-check=\"{1}\" data-file=\"{2}\" "
                  "data-fingerprint=\"{3}\">",
                  Index, esc(F.Check), esc(F.Loc.File), esc(F.Fingerprint));
    OS << "<h3><span class=\"level " << levelName(F.Severity) << "\">"
       << levelName(F.Severity) << "</span> ";
    if (!Page.empty())
      OS << "<a class=\"check\" href=\"" << esc(Page) << "\">" << esc(F.Check)
         << "</a>";
    else
      OS << "<span class=\"check\">" << esc(F.Check) << "</span>";
    OS << " <span class=\"where\">" << esc(F.Loc.File) << ":" << F.Loc.Pos.Line
       << "</span></h3>";
    OS << "<p class=\"message\">" << esc(F.Message) << "</p>";
    OS << "<div class=\"story\"><ol class=\"steps\">";
    for (const Step &S : Steps) {
      OS << "<li" << (S.IsFix ? " class=\"fixnote\"" : "") << "><span>"
         << esc(S.Number == 1 ? "blocking call: " + S.Message : S.Message)
         << "</span>";
      if (!S.Loc->File.empty())
        OS << " <span class=\"loc\">" << esc(S.Loc->File) << ":"
           << S.Loc->Pos.Line << "</span>";
      OS << "</li>";
    }
    OS << "</ol>";
    writeDiagram(OS, Steps);
    OS << "</div>";
    writeCode(OS, R, Sources, Steps);
    if (!F.Fixes.empty())
      writeDiff(OS, R, Sources, "main", mainFixTitle(F), F.Fixes);
    for (const Note &N : F.Notes)
      if (!N.Fixes.empty())
        writeDiff(OS, R, Sources, "alternative", alternativeFixTitle(N),
                  N.Fixes);
    if (F.TranslationUnits.size() > 1)
      OS << "<p class=\"meta\">seen from " << F.TranslationUnits.size()
         << " translation units</p>";
    OS << "</article>\n";
  }
  OS << "</section>\n";

  // Failures.
  if (Ok != R.Units.size()) {
    OS << "<section id=\"failures\"><h2>Translation units not analysed</h2>";
    for (const TUResult &U : R.Units) {
      if (U.Status == TUStatus::Ok)
        continue;
      OS << "<div class=\"failure\"><b>" << esc(U.File)
         << "</b>: " << esc(describeFailure(U)) << "<ul>";
      for (const Finding &E : U.Errors) {
        OS << "<li><code>" << esc(E.Loc.File);
        if (E.Loc.Pos.Line)
          OS << ":" << E.Loc.Pos.Line << ":" << E.Loc.Pos.Column;
        OS << "</code> " << esc(E.Message) << "</li>";
      }
      OS << "</ul></div>";
    }
    OS << "</section>\n";
  }
  OS << "<script>" << Script << "</script></body></html>\n";
}

} // namespace fanout::audit
