//===- Baseline.cpp -------------------------------------------------------===//
#include "Baseline.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA1.h"
#include "llvm/Support/raw_ostream.h"
#include <set>
#include <tuple>

using namespace llvm;

namespace fanout::audit {

static constexpr int BaselineVersion = 1;

std::string
fingerprintHash(const Finding &F,
                function_ref<std::string(const Location &)> LineText) {
  SHA1 Hasher;
  auto Add = [&](StringRef Part) {
    Hasher.update(Part);
    Hasher.update(StringRef("\0", 1));
  };
  Add("fanout-audit-fingerprint-v1");
  Add(F.Check);
  Add(F.Loc.File);
  Add(LineText(F.Loc));
  // The lines the notes point at, as a set: the same bug involves the same
  // lines, however the notes word it, in whatever order, and whether or not a
  // newer version adds a note on a line already involved.
  std::set<std::pair<std::string, std::string>> NoteLines;
  for (const Note &N : F.Notes)
    if (!N.Loc.File.empty())
      NoteLines.insert({N.Loc.File, LineText(N.Loc)});
  for (const auto &[File, Text] : NoteLines) {
    Add(File);
    Add(Text);
  }
  std::array<uint8_t, 20> Digest = Hasher.result();
  return toHex(ArrayRef<uint8_t>(Digest).take_front(10), /*LowerCase=*/true);
}

void numberFingerprints(std::vector<Finding> &Findings) {
  StringMap<unsigned> Seen;
  for (Finding &F : Findings)
    F.Fingerprint =
        F.FingerprintHash + ":" + std::to_string(++Seen[F.FingerprintHash]);
}

Expected<Baseline> readBaseline(StringRef Path) {
  auto Buffer = MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return createStringError(Buffer.getError(), "cannot read baseline '%s': %s",
                             Path.str().c_str(),
                             Buffer.getError().message().c_str());
  Expected<json::Value> Parsed = json::parse((*Buffer)->getBuffer());
  if (!Parsed)
    return createStringError(
        inconvertibleErrorCode(), "baseline '%s' is not JSON: %s",
        Path.str().c_str(), toString(Parsed.takeError()).c_str());
  const json::Object *Root = Parsed->getAsObject();
  const json::Array *Items = Root ? Root->getArray("findings") : nullptr;
  if (!Items || Root->getString("tool") != StringRef("fanout-audit"))
    return createStringError(inconvertibleErrorCode(),
                             "'%s' is not a fanout-audit baseline",
                             Path.str().c_str());
  if (Root->getInteger("version").value_or(0) != BaselineVersion)
    return createStringError(inconvertibleErrorCode(),
                             "baseline '%s' has an unsupported version",
                             Path.str().c_str());
  Baseline B;
  for (const json::Value &Item : *Items) {
    const json::Object *O = Item.getAsObject();
    std::optional<StringRef> FP =
        O ? O->getString("fingerprint") : std::nullopt;
    if (!FP)
      return createStringError(inconvertibleErrorCode(),
                               "baseline '%s': a finding has no fingerprint",
                               Path.str().c_str());
    B.Fingerprints.insert(*FP);
    B.Entries.push_back(*O);
  }
  return B;
}

static ResolvedEntry describeEntry(const json::Object &O) {
  ResolvedEntry E;
  E.Fingerprint = O.getString("fingerprint").value_or("").str();
  E.Check = O.getString("check").value_or("").str();
  E.File = O.getString("file").value_or("").str();
  E.Line = O.getInteger("line").value_or(0);
  E.Message = O.getString("message").value_or("").str();
  return E;
}

Error writeBaseline(StringRef Path, const Report &R, const Baseline *Previous,
                    BaselineWriteStats &Stats) {
  StringMap<const json::Object *> Old;
  if (Previous)
    for (const json::Object &O : Previous->Entries)
      if (auto FP = O.getString("fingerprint"))
        Old.try_emplace(*FP, &O);
  std::vector<json::Object> Entries;
  StringSet<> Current;
  for (const Finding &F : R.Findings) {
    // Everything but the fingerprint is for the people reviewing the file;
    // what they added stays.
    json::Object O;
    if (const json::Object *Prev = Old.lookup(F.Fingerprint))
      O = *Prev;
    O["fingerprint"] = F.Fingerprint;
    O["check"] = F.Check;
    O["file"] = F.Loc.File;
    O["line"] = F.Loc.Pos.Line;
    O["message"] = F.Message;
    Current.insert(F.Fingerprint);
    Entries.push_back(std::move(O));
  }
  if (Previous)
    for (const json::Object &O : Previous->Entries) {
      StringRef FP = O.getString("fingerprint").value_or("");
      if (Current.contains(FP))
        continue;
      if (R.covers(O.getString("file").value_or(""))) {
        Stats.Removed.push_back(describeEntry(O));
        continue;
      }
      ++Stats.Kept;
      Entries.push_back(O);
    }
  // Sorted like the findings, so that the file diffs well.
  auto Key = [](const json::Object &O) {
    return std::make_tuple(O.getString("file").value_or("").str(),
                           O.getInteger("line").value_or(0),
                           O.getString("fingerprint").value_or("").str());
  };
  std::stable_sort(Entries.begin(), Entries.end(),
                   [&](const json::Object &A, const json::Object &B) {
                     return Key(A) < Key(B);
                   });
  Stats.Written = Entries.size();
  json::Array Items;
  for (json::Object &O : Entries)
    Items.push_back(std::move(O));
  json::Value Doc = json::Object{{"tool", "fanout-audit"},
                                 {"version", BaselineVersion},
                                 {"findings", std::move(Items)}};
  return writeToOutput(Path, [&](raw_ostream &OS) {
    OS << formatv("{0:2}", Doc) << "\n";
    return Error::success();
  });
}

unsigned applyBaseline(Report &R, const Baseline &B) {
  StringSet<> Seen;
  for (const Finding &F : R.Findings)
    Seen.insert(F.Fingerprint);
  unsigned Before = R.Findings.size();
  llvm::erase_if(R.Findings, [&](const Finding &F) {
    return B.Fingerprints.contains(F.Fingerprint);
  });
  R.BaselineApplied = true;
  R.BaselineSuppressed = Before - R.Findings.size();
  R.BaselineResolved.clear();
  for (const json::Object &O : B.Entries) {
    StringRef FP = O.getString("fingerprint").value_or("");
    if (!Seen.contains(FP) && R.covers(O.getString("file").value_or("")))
      R.BaselineResolved.push_back(describeEntry(O));
  }
  return R.BaselineSuppressed;
}

} // namespace fanout::audit
