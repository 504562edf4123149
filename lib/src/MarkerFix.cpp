//===- MarkerFix.cpp - Send the end markers on every way out --------------===//
#include "fanout/MarkerFix.h"
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMap.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// The statement of \p Block that holds \p S, or null.
const Stmt *childHolding(const CompoundStmt *Block, const Stmt *S,
                         const ParentMap &Parents) {
  for (const Stmt *Node = S; Node; Node = Parents.getParent(Node))
    if (Parents.getParent(Node) == Block)
      return Node;
  return nullptr;
}

/// The marker statement: the loop that sends one marker per consumer, or
/// the push's own statement.
const Stmt *markerStatement(const CallExpr *Push, const CallExpr *FirstPush,
                            const ParentMap &Parents) {
  const Stmt *Statement = Push;
  for (const Stmt *P = Parents.getParent(Statement); P && isa<Expr>(P);
       P = Parents.getParent(P))
    Statement = P;
  if (const Stmt *Loop = enclosingLoop(Push, Parents);
      Loop &&
      !Loop->getSourceRange().fullyContains(FirstPush->getSourceRange()))
    return Loop;
  return Statement;
}

/// The variable whose address or value \p Push sends (`put(q, &block)`,
/// `q.push(block)`), if a local.
const VarDecl *sentVariable(const CallExpr *Push) {
  for (const Expr *Arg : Push->arguments()) {
    const Expr *E = Arg->IgnoreParenImpCasts();
    if (const auto *Address = dyn_cast<UnaryOperator>(E);
        Address && Address->getOpcode() == UO_AddrOf)
      E = Address->getSubExpr()->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var && Var->isLocalVarDecl())
        return Var; // The last local argument: the item, after the queue.
  }
  return nullptr;
}

/// The first statement of the marker code in \p Block: \p Marker, or the
/// assignments right before it that make the item a marker.
const Stmt *markerStart(const Stmt *Marker, const CallExpr *Push,
                        const CompoundStmt *Block) {
  const VarDecl *Item = sentVariable(Push);
  auto It = llvm::find(Block->body(), Marker);
  if (!Item || It == Block->body_end())
    return Marker;
  const Stmt *Start = Marker;
  while (It != Block->body_begin() &&
         assignedToField(*std::prev(It), Item, nullptr))
    Start = *--It;
  return Start;
}

/// Whether leaving \p S by a jump would now leave only the lambda.
bool jumpsOut(const Stmt *S) {
  bool Jumps = false;
  auto Visit = [&](const Stmt *Node) {
    Jumps |= isa<ReturnStmt, GotoStmt, CoreturnStmt>(Node);
    if (!isLoop(S) && isa<BreakStmt, ContinueStmt>(Node))
      Jumps = true;
  };
  Visit(S);
  forEachDescendant(S, Visit);
  return Jumps;
}

/// Whether every local variable \p S reads is declared before \p At.
bool localsDeclaredBefore(const Stmt *S, SourceLocation At,
                          const SourceManager &SM) {
  bool Ok = true;
  forEachDescendant(S, [&](const Stmt *Node) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var && Var->isLocalVarDeclOrParm() && !isa<ParmVarDecl>(Var) &&
          !SM.isBeforeInTranslationUnit(Var->getLocation(), At) &&
          !S->getSourceRange().fullyContains(Var->getSourceRange()))
        Ok = false;
  });
  return Ok;
}

/// \p Text with its lines after the first moved from \p From to \p To.
std::string reindent(StringRef Text, StringRef From, StringRef To) {
  std::string Out;
  bool First = true;
  SmallVector<StringRef, 8> Lines;
  Text.split(Lines, '\n');
  for (StringRef Line : Lines) {
    if (!First) {
      Out += "\n";
      Out += To;
      Line.consume_front(From);
    }
    Out += Line;
    First = false;
  }
  return Out;
}

bool nameFree(const FunctionDecl *F, StringRef Name, const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  CharSourceRange Range =
      CharSourceRange::getTokenRange(F->getBody()->getSourceRange());
  bool Invalid = false;
  StringRef Text = Lexer::getSourceText(Range, SM, Ctx.getLangOpts(), &Invalid);
  return !Invalid && !Text.contains(Name);
}

} // namespace

std::vector<FixItHint> planEndMarkerGuard(const FunctionDecl *Producer,
                                          const CallExpr *MarkerPush,
                                          const CallExpr *FirstPush,
                                          const ParentMap &Parents,
                                          ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const Stmt *Last = markerStatement(MarkerPush, FirstPush, Parents);
  const auto *Block = dyn_cast_or_null<CompoundStmt>(Parents.getParent(Last));
  const Stmt *Anchor =
      Block ? childHolding(Block, FirstPush, Parents) : nullptr;
  const Stmt *Marker = Block ? markerStart(Last, MarkerPush, Block) : Last;
  if (!Anchor || Anchor == Marker || jumpsOut(Marker) || jumpsOut(Last) ||
      isInMacro(Marker->getSourceRange()) ||
      isInMacro(Anchor->getSourceRange()) ||
      !SM.isBeforeInTranslationUnit(Anchor->getBeginLoc(),
                                    Marker->getBeginLoc()) ||
      isInMacro(Last->getSourceRange()) ||
      !localsDeclaredBefore(Marker, Anchor->getBeginLoc(), SM) ||
      !localsDeclaredBefore(Last, Anchor->getBeginLoc(), SM) ||
      !nameFree(Producer, "sendEndMarkers", Ctx) ||
      !nameFree(Producer, "EndMarkersOnExit", Ctx))
    return {};
  SourceLocation MarkerEnd = afterStatement(Last, Ctx);
  if (MarkerEnd.isInvalid() || MarkerEnd.isMacroID())
    return {};
  bool Invalid = false;
  StringRef MarkerText = Lexer::getSourceText(
      CharSourceRange::getCharRange(Marker->getBeginLoc(), MarkerEnd), SM,
      Ctx.getLangOpts(), &Invalid);
  if (Invalid || MarkerText.empty())
    return {};
  std::string AnchorIndent = indentationOf(Anchor->getBeginLoc(), SM);
  std::string MarkerIndent = indentationOf(Marker->getBeginLoc(), SM);
  std::string Body = reindent(MarkerText, MarkerIndent, AnchorIndent + "  ");
  bool OneLine = StringRef(Body).find('\n') == StringRef::npos;
  std::string Guard =
      "auto sendEndMarkers = [&] {" +
      (OneLine
           ? " " + Body + " }"
           : "\n" + AnchorIndent + "  " + Body + "\n" + AnchorIndent + "}") +
      ";\n" + AnchorIndent +
      "struct EndMarkersOnExit { decltype(sendEndMarkers) &send; bool sent = "
      "false; ~EndMarkersOnExit() { if (!sent) send(); } } "
      "endMarkersOnExit{sendEndMarkers};\n" +
      AnchorIndent;
  return {FixItHint::CreateInsertion(Anchor->getBeginLoc(), Guard),
          FixItHint::CreateReplacement(
              CharSourceRange::getCharRange(Marker->getBeginLoc(), MarkerEnd),
              "endMarkersOnExit.sent = true;\n" + MarkerIndent +
                  "sendEndMarkers();")};
}

std::vector<FixItHint> planBodyEndMarkerGuard(const FunctionDecl *Body,
                                              const CallExpr *MarkerPush,
                                              const ParentMap &HolderParents,
                                              ASTContext &Ctx) {
  const Stmt *Marker = MarkerPush;
  for (const Stmt *P = HolderParents.getParent(Marker); P && isa<Expr>(P);
       P = HolderParents.getParent(P))
    Marker = P;
  if (!Body || !Body->getBody() || enclosingLoop(MarkerPush, HolderParents) ||
      isInMacro(Marker->getSourceRange()) || jumpsOut(Marker) ||
      !nameFree(Body, "sendEndMarkers", Ctx) ||
      !nameFree(Body, "EndMarkersOnExit", Ctx))
    return {};
  // Only names the body sees the same way: members, globals, types.
  bool NamesLocals = false;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
        NamesLocals |= Var->isLocalVarDeclOrParm();
  };
  Visit(Marker);
  forEachDescendant(Marker, Visit);
  std::string Text = sourceText(cast<Expr>(Marker), Ctx);
  if (NamesLocals || Text.empty())
    return {};
  // Through a pointer the holder may have checked first (`if (que_)`): the
  // guard checks it too.
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(MarkerPush))
    if (const auto *Callee =
            dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParenImpCasts());
        Callee && Callee->isArrow()) {
      const Expr *Pointer = Callee->getBase()->IgnoreParenImpCasts();
      // A smart pointer's `->` is an operator call on the pointer.
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Pointer);
          Op && Op->getOperator() == OO_Arrow && Op->getNumArgs() == 1)
        Pointer = Op->getArg(0)->IgnoreParenImpCasts();
      if (!isa<CXXThisExpr>(Pointer))
        Text = "if (" + sourceText(Pointer, Ctx) + ") " + Text;
    }
  std::optional<FixItHint> Guard = firstInBlock(
      Body->getBody(),
      "auto sendEndMarkers = [&] { " + Text +
          "; }; struct EndMarkersOnExit { decltype(sendEndMarkers) &send; "
          "~EndMarkersOnExit() { send(); } } endMarkersOnExit{sendEndMarkers};",
      Ctx);
  if (!Guard)
    return {};
  return {*Guard};
}

std::vector<FixItHint> planOwnerEndMarkers(const CXXMethodDecl *Sender,
                                           const CXXDestructorDecl *Destructor,
                                           const Stmt *Join,
                                           const ParentMap &Parents,
                                           ASTContext &Ctx) {
  const CXXRecordDecl *Class = Sender->getParent();
  if (!Sender->getIdentifier() || Sender->getNumParams() != 0 ||
      !Sender->getBody() || !Destructor->getBody() ||
      Destructor->getParent() != Class)
    return {};
  constexpr StringRef Flag = "endMarkersSent_";
  for (const Decl *D : Class->decls())
    if (const auto *Named = dyn_cast<NamedDecl>(D);
        Named && Named->getName() == Flag)
      return {};
  const FieldDecl *LastField = nullptr;
  for (const FieldDecl *Field : Class->fields())
    LastField = Field;
  if (!LastField || isInMacro(LastField->getSourceRange()))
    return {};
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation AfterField = Lexer::findLocationAfterToken(
      LastField->getEndLoc(), tok::semi, SM, Ctx.getLangOpts(),
      /*SkipTrailingWhitespaceAndNewLine=*/false);
  if (AfterField.isInvalid())
    return {};
  // Before the loop that joins, not in it.
  const Stmt *Before = Join;
  for (const Stmt *Loop = enclosingLoop(Join, Parents); Loop;
       Loop = enclosingLoop(Loop, Parents))
    Before = Loop;
  std::vector<FixItHint> Edits;
  std::string Send = "if (!" + Flag.str() + ") " + Sender->getName().str() +
                     "(); // the end markers, when an exception skipped it";
  std::optional<FixItHint> Mark =
      firstInBlock(Sender->getBody(), (Flag + " = true;").str(), Ctx);
  if (!Mark || !insertStatementBefore(Before, Parents, Send, Ctx, Edits))
    return {};
  Edits.push_back(*Mark);
  Edits.push_back(FixItHint::CreateInsertion(
      AfterField, "\n" + indentationOf(LastField->getBeginLoc(), SM) + "bool " +
                      Flag.str() + " = false;"));
  return Edits;
}

} // namespace fanout
