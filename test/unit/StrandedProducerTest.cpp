#include "TestSupport.h"
#include "fanout/TUAnalysis.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

/// Runs the analysis on the function \p Spawner of \p Code.
std::vector<Finding> analyze(const std::string &Code,
                             llvm::StringRef Spawner = "spawner",
                             std::unique_ptr<clang::ASTUnit> *Keep = nullptr) {
  std::unique_ptr<clang::ASTUnit> AST = parse(Code);
  EXPECT_TRUE(AST);
  if (!AST)
    return {};
  clang::ASTContext &Ctx = AST->getASTContext();
  const clang::FunctionDecl *F = findFunction(Ctx, Spawner);
  EXPECT_TRUE(F);
  if (!F)
    return {};
  AnalysisOptions Options;
  TUAnalysis Analysis(Ctx, Options);
  std::vector<Finding> Findings;
  for (const Finding &Found : Analysis.findings(F))
    if (Found.Kind == FindingKind::StrandedProducer)
      Findings.push_back(Found);
  if (Keep)
    *Keep = std::move(AST);
  return Findings;
}

bool hasNote(const Finding &F, llvm::StringRef Text) {
  for (const FindingNote &Note : F.Notes)
    if (llvm::StringRef(renderNote(Note)).contains(Text))
      return true;
  return false;
}

// The mission's example, reduced.
const char *Mission = R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] { for (int i = 0; i < n; ++i) q.push(i); q.close(); });
  std::vector<std::thread> pool;
  for (int w = 0; w < 4; ++w)
    pool.emplace_back([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  for (auto &t : pool) t.join();
  producer.join();
}
)cpp";

TEST(StrandedProducerTest, ReportsTheMissionShapeWithItsStory) {
  std::unique_ptr<clang::ASTUnit> AST;
  std::vector<Finding> Findings = analyze(Mission, "spawner", &AST);
  ASSERT_EQ(Findings.size(), 1u);
  const Finding &F = Findings.front();
  EXPECT_NE(renderMessage(F).find("'push' on bounded queue 'q'"),
            std::string::npos);
  EXPECT_NE(renderMessage(F).find("capacity 8"), std::string::npos);
  EXPECT_TRUE(hasNote(F, "consumer returns here without closing 'q'"));
  EXPECT_TRUE(hasNote(F, "consumer threads spawned here in a loop"));
  EXPECT_TRUE(hasNote(F, "producer thread spawned here"));
  EXPECT_TRUE(hasNote(F, "this wait never returns"));
  // The fix closes once after the joins, and stops the producer on failure.
  ASSERT_FALSE(F.Fixes.empty());
  bool ClosesAfterJoin = false, ChecksPush = false;
  for (const clang::FixItHint &Fix : F.Fixes) {
    ClosesAfterJoin |= Fix.CodeToInsert.find("q.close();") == 0;
    ChecksPush |= Fix.CodeToInsert.find("if (!q.push(i))") == 0;
  }
  EXPECT_TRUE(ClosesAfterJoin);
  EXPECT_TRUE(ChecksPush);
}

TEST(StrandedProducerTest, SilentWhenTheConsumerClosesOnItsErrorPath) {
  EXPECT_TRUE(analyze(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread c([&] { int i; while (q.pop(i)) if (!process(i)) { q.close(); return; } });
  for (int i = 0; i < n; ++i) if (!q.push(i)) break;
  q.close();
  c.join();
}
)cpp")
                  .empty());
}

TEST(StrandedProducerTest, SilentWhenTheConsumerDrainsAfterErrors) {
  EXPECT_TRUE(analyze(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread c([&] { int i; while (q.pop(i)) { if (!process(i)) continue; } });
  for (int i = 0; i < n; ++i) q.push(i);
  q.close();
  c.join();
}
)cpp")
                  .empty());
}

TEST(StrandedProducerTest, ACloseOnOnlySomePathsStillStrands) {
  std::vector<Finding> Findings = analyze(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread c([&] {
    int i;
    while (q.pop(i)) {
      if (i == 7) { q.close(); return; }
      if (!process(i)) return;
    }
  });
  for (int i = 0; i < n; ++i) q.push(i);
  q.close();
  c.join();
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  // Only the exit that skips the close is blamed.
  unsigned ExitNotes = 0;
  for (const FindingNote &Note : Findings.front().Notes)
    ExitNotes +=
        llvm::StringRef(renderNote(Note)).starts_with("consumer returns");
  EXPECT_EQ(ExitNotes, 1u);
}

TEST(StrandedProducerTest, SilentWhenCapacityHoldsEveryItem) {
  EXPECT_TRUE(analyze(R"cpp(
void spawner() {
  BoundedQueue<int> q(8);
  std::thread c([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  for (int i = 0; i < 8; ++i) q.push(i);
  q.close();
  c.join();
}
)cpp")
                  .empty());
  // One more item than fits: the producer can block.
  EXPECT_EQ(analyze(R"cpp(
void spawner() {
  BoundedQueue<int> q(8);
  std::thread c([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  for (int i = 0; i < 9; ++i) q.push(i);
  q.close();
  c.join();
}
)cpp")
                .size(),
            1u);
}

TEST(StrandedProducerTest, FollowsTheQueueThroughReferenceParameters) {
  std::vector<Finding> Findings = analyze(R"cpp(
void worker(BoundedQueue<int> &in) { int i; while (in.pop(i)) if (!process(i)) break; }
void spawner(int n) {
  BoundedQueue<int> q(2);
  std::thread a(worker, std::ref(q));
  for (int i = 0; i < n; ++i) q.push(i);
  q.close();
  a.join();
}
)cpp");
  ASSERT_EQ(Findings.size(), 1u);
  EXPECT_TRUE(hasNote(Findings.front(), "breaks out of its pop loop"));
}

// A pool whose workers close its queue on their way out: the fix says that
// every later submit() then returns without queuing.
TEST(StrandedProducerTest, PoolFixSaysLaterSubmitsAreDropped) {
  std::unique_ptr<clang::ASTUnit> AST = parse(R"cpp(
class Pool {
public:
  explicit Pool(int n) : jobs_(4) {
    for (int w = 0; w < n; ++w)
      threads_.emplace_back([this] { work(); });
  }
  void submit(int job) { jobs_.push(job); }

private:
  void work() {
    int job;
    while (jobs_.pop(job))
      if (!process(job))
        return;
  }
  BoundedQueue<int> jobs_;
  std::vector<std::thread> threads_;
};
)cpp");
  ASSERT_TRUE(AST);
  const clang::FunctionDecl *Ctor = findFunction(AST->getASTContext(), "Pool");
  ASSERT_TRUE(Ctor);
  AnalysisOptions Options;
  TUAnalysis Analysis(AST->getASTContext(), Options);
  std::vector<Finding> Members;
  for (const Finding &Found : Analysis.findings(Ctor))
    if (Found.Kind == FindingKind::StrandedMemberProducer)
      Members.push_back(Found);
  ASSERT_EQ(Members.size(), 1u);
  EXPECT_FALSE(Members[0].Fixes.empty());
  EXPECT_TRUE(hasNote(Members[0],
                      "later calls of 'submit' then return without queuing"));
}

TEST(StrandedProducerTest, HalfTypedCodeIsNotAnalysed) {
  // Error recovery leaves broken expressions; the analysis must neither
  // crash nor report on them.
  std::unique_ptr<clang::ASTUnit> AST = parse(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread c([&] { int i; while (q.pop(i)) if (!process(undeclared)) return; });
  for (int i = 0; i < n; ++i) q.push(i
}
)cpp");
  ASSERT_TRUE(AST);
  const clang::FunctionDecl *F = findFunction(AST->getASTContext(), "spawner");
  if (F) {
    AnalysisOptions Options;
    TUAnalysis Analysis(AST->getASTContext(), Options);
    (void)Analysis.findings(F);
  }
  SUCCEED();
}

} // namespace
