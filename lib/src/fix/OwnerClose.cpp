//===- OwnerClose.cpp - Close where the class joins its producer ----------===//
//
// When the consumers are the callers of a member that takes one item a call
// (`next()`), they stop whenever they like, and only the class can wake its
// producer thread: where it joins it (the destructor, `stop()`). A close
// just before that join wakes a producer asleep on the full queue; the
// producer then stops on the closed push.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// The `handle.join()` calls in \p F on the member \p Handle.
std::vector<const CXXMemberCallExpr *> joinsOf(const FunctionDecl *F,
                                               const ValueDecl *Handle) {
  std::vector<const CXXMemberCallExpr *> Joins;
  forEachDescendant(F->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    if (!Call || calleeName(Call) != "join")
      return;
    const auto *Member =
        dyn_cast<MemberExpr>(ignoreWrappers(Call->getImplicitObjectArgument()));
    if (Member && Member->getMemberDecl() == Handle &&
        isa<CXXThisExpr>(ignoreWrappers(Member->getBase())))
      Joins.push_back(Call);
  });
  return Joins;
}

} // namespace

std::optional<StrategyPlan> planOwnerClose(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
  const SpawnSite *Spawn = Case.producerSpawn();
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  if (!Spawn || Close.empty() || !Case.consumersAreCallers() ||
      Case.Queue.base() != AccessPath::BaseKind::This ||
      Case.Queue.fields().size() != 1 ||
      closeRefusesSecondCall(Case.Push->Op.Object, Close))
    return std::nullopt;
  const auto *Field = dyn_cast_or_null<FieldDecl>(Case.Queue.leafDecl());
  const ValueDecl *Handle = Spawn->Handle.leafDecl();
  if (!Field || !Field->getIdentifier() || !Handle ||
      Spawn->Handle.base() != AccessPath::BaseKind::This ||
      Spawn->Handle.fields().size() != 1)
    return std::nullopt;
  QualType T = Field->getType().getNonReferenceType();
  bool Pointer =
      T->isPointerType() ||
      (T->getAsCXXRecordDecl() && pointeeRecord(T) != T->getAsCXXRecordDecl());
  std::string Code =
      Field->getName().str() + (Pointer ? "->" : ".") + Close.str() + "();";
  StrategyPlan Plan;
  for (const Actor &A : Case.Model->actors()) {
    if (A.Role != Actor::Kind::Member || !A.Function->hasBody())
      continue;
    for (const CXXMemberCallExpr *Join : joinsOf(A.Function, Handle))
      if (!Fx.insertBefore(Join, A.Function, Code, Plan.Edits))
        return std::nullopt;
  }
  if (Plan.Edits.empty())
    return std::nullopt;
  Plan.NoteAt = Fx.firstEdit(Plan.Edits);
  Plan.Summary =
      formatv("close '{0}' before the class joins its producer", Fx.Name).str();
  return Plan;
}

} // namespace fanout
