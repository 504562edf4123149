#include "TestSupport.h"
#include "fanout/TUAnalysis.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

/// The findings of \p Kind on the function `spawner` of \p Code.
std::vector<Finding> run(FindingKind Kind, const std::string &Code) {
  std::unique_ptr<clang::ASTUnit> AST = parse(Code);
  EXPECT_TRUE(AST);
  if (!AST)
    return {};
  const clang::FunctionDecl *F = findFunction(AST->getASTContext(), "spawner");
  EXPECT_TRUE(F);
  if (!F)
    return {};
  AnalysisOptions Options;
  TUAnalysis Analysis(AST->getASTContext(), Options);
  std::vector<Finding> OfKind;
  for (const Finding &Found : Analysis.findings(F))
    if (Found.Kind == Kind)
      OfKind.push_back(Found);
  return OfKind;
}

bool hasNote(const Finding &F, llvm::StringRef Text) {
  for (const FindingNote &Note : F.Notes)
    if (llvm::StringRef(renderNote(Note)).contains(Text))
      return true;
  return false;
}

TEST(StrandedConsumerTest, ProducerReturningBeforeCloseStrandsConsumers) {
  std::vector<Finding> Findings = run(FindingKind::StrandedConsumer, R"cpp(
bool make(int &);
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread p([&] { for (int i = 0; i < n; ++i) { int v; if (!make(v)) return; q.push(v); } q.close(); });
  std::thread c([&] { int v; while (q.pop(v)) process(v); });
  p.join();
  c.join();
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_TRUE(hasNote(Findings[0], "producer returns here without closing"));
  EXPECT_TRUE(hasNote(Findings[0], "this wait never returns"));
  ASSERT_EQ(Findings[0].Fixes.size(), 1u);
  EXPECT_NE(Findings[0].Fixes[0].CodeToInsert.find(
                "~CloseOnExit() { queue.close(); }"),
            std::string::npos);
}

TEST(StrandedConsumerTest, SilentWhenEveryExitCloses) {
  EXPECT_TRUE(run(FindingKind::StrandedConsumer, R"cpp(
bool make(int &);
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread p([&] { for (int i = 0; i < n; ++i) { int v; if (!make(v)) { q.close(); return; } q.push(v); } q.close(); });
  std::thread c([&] { int v; while (q.pop(v)) process(v); });
  p.join();
  c.join();
}
)cpp")
                  .empty());
}

TEST(StrandedConsumerTest, SilentWhenConsumersStopOnASentinel) {
  EXPECT_TRUE(run(FindingKind::StrandedConsumer, R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread p([&] { for (int i = 0; i < n; ++i) q.push(i); q.push(-1); });
  std::thread c([&] { int v; while (q.pop(v)) { if (v == -1) break; process(v); } });
  p.join();
  c.join();
}
)cpp")
                  .empty());
}

TEST(JoinBeforeDrainTest, JoinThenDrainWithMoreResultsThanRoom) {
  std::vector<Finding> Findings = run(FindingKind::JoinBeforeDrain, R"cpp(
void spawner(int n) {
  BoundedQueue<int> r(4);
  std::vector<std::thread> ws;
  for (int w = 0; w < 4; ++w)
    ws.emplace_back([&] { for (int i = 0; i < n; ++i) r.push(i); });
  for (auto &t : ws) t.join();
  r.close();
  int v;
  while (r.pop(v)) process(v);
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_TRUE(hasNote(Findings[0], "drained only here, after the wait"));
}

TEST(JoinBeforeDrainTest, SilentWhenEveryWorkerFitsSymbolically) {
  EXPECT_TRUE(run(FindingKind::JoinBeforeDrain, R"cpp(
void spawner(int workers) {
  BoundedQueue<int> errs(workers + 1);
  std::vector<std::thread> ws;
  for (int w = 0; w < workers; ++w)
    ws.emplace_back([&] { if (!process(w)) errs.push(w); });
  for (auto &t : ws) t.join();
  errs.close();
  int v;
  while (errs.pop(v)) process(v);
}
)cpp")
                  .empty());
}

TEST(JoinBeforeDrainTest, SilentWhenDrainedBeforeTheWait) {
  EXPECT_TRUE(run(FindingKind::JoinBeforeDrain, R"cpp(
void spawner(int n) {
  BoundedQueue<int> r(4);
  std::thread w([&] { for (int i = 0; i < n; ++i) r.push(i); r.close(); });
  int v;
  while (r.pop(v)) process(v);
  w.join();
}
)cpp")
                  .empty());
}

/// The text the fix-its of \p F insert, in order.
std::string insertedText(const Finding &F) {
  std::string Text;
  for (const clang::FixItHint &Fix : F.Fixes)
    Text += Fix.CodeToInsert + "|";
  return Text;
}

TEST(JoinBeforeDrainTest, TheWaitMovesAfterABlockingDrainLoop) {
  std::vector<Finding> Findings = run(FindingKind::JoinBeforeDrain, R"cpp(
namespace std { struct latch { explicit latch(long); void count_down(); void wait(); }; }
void spawner(int n) {
  BoundedQueue<int> r(4);
  std::latch done(2);
  std::vector<std::thread> ws;
  for (int w = 0; w < 2; ++w)
    ws.emplace_back([&] { for (int i = 0; i < n; ++i) r.push(i); done.count_down(); });
  done.wait();
  int sum = 0;
  for (int i = 0; i < 2 * n; ++i) { int v; if (r.pop(v)) sum += v; }
  for (auto &t : ws) t.join();
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_TRUE(hasNote(Findings[0], "wait for the workers after draining"));
  ASSERT_EQ(Findings[0].Fixes.size(), 2u);
  EXPECT_TRUE(Findings[0].Fixes[0].CodeToInsert.empty()); // The removal.
  EXPECT_EQ(Findings[0].Fixes[1].CodeToInsert, "\n  done.wait();");
}

TEST(JoinBeforeDrainTest, TheWaitStaysWhenTheMovedCodeReadsWhatWorkersWrite) {
  std::vector<Finding> Findings = run(FindingKind::JoinBeforeDrain, R"cpp(
namespace std { struct latch { explicit latch(long); void count_down(); void wait(); }; }
void spawner(int n) {
  BoundedQueue<int> r(4);
  std::latch done(2);
  int pushed = 0;
  std::vector<std::thread> ws;
  for (int w = 0; w < 2; ++w)
    ws.emplace_back([&] { for (int i = 0; i < n; ++i) { r.push(i); ++pushed; } done.count_down(); });
  done.wait();
  int sum = 0;
  for (int i = 0; i < pushed; ++i) { int v; if (r.pop(v)) sum += v; }
  for (auto &t : ws) t.join();
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_FALSE(hasNote(Findings[0], "wait for the workers after draining"));
  EXPECT_EQ(insertedText(Findings[0]), "");
}

TEST(JoinBeforeDrainTest, TheWaitStaysWhenTheMovedCodeLeaves) {
  std::vector<Finding> Findings = run(FindingKind::JoinBeforeDrain, R"cpp(
namespace std { struct latch { explicit latch(long); void count_down(); void wait(); }; }
void spawner(int n) {
  BoundedQueue<int> r(4);
  std::latch done(2);
  std::vector<std::thread> ws;
  for (int w = 0; w < 2; ++w)
    ws.emplace_back([&] { for (int i = 0; i < n; ++i) r.push(i); done.count_down(); });
  done.wait();
  if (n > 100)
    return;
  int sum = 0;
  for (int i = 0; i < 2 * n; ++i) { int v; if (r.pop(v)) sum += v; }
  for (auto &t : ws) t.join();
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_FALSE(hasNote(Findings[0], "wait for the workers after draining"));
}

} // namespace
