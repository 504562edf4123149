//===- AccessPath.h - Where an object lives, relative to one function -----===//
//
// Summaries describe what a function does to the queues it can reach, and a
// function reaches a queue through its parameters, `this`, or a variable it
// can name. An access path says which: a base (parameter i, `this`, a
// variable) and the fields followed from it. Pointers, references, smart
// pointers and `std::ref` on the way are transparent: they do not change
// which object is meant. A caller turns a callee's path into its own by
// substituting what it passed (`substitute`).
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_ACCESSPATH_H
#define FANOUT_ACCESSPATH_H

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMapInfo.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace fanout {

class AccessPath {
public:
  enum class BaseKind : uint8_t { None, Param, This, Var };

  AccessPath() = default;
  static AccessPath param(unsigned Index);
  static AccessPath thisObject();
  static AccessPath var(const clang::ValueDecl *Var);
  /// A path that is no object: DenseMap's empty and tombstone keys.
  static AccessPath marker(const clang::ValueDecl *Key) {
    AccessPath P;
    P.Kind = BaseKind::Var;
    P.Var = Key;
    return P;
  }

  /// This path followed by \p Field; a null field stands for "an element of
  /// the container" (`queues[i]`), all elements being one object to us.
  AccessPath withField(const clang::FieldDecl *Field) const;
  AccessPath withFields(llvm::ArrayRef<const clang::FieldDecl *> More) const;

  bool valid() const { return Kind != BaseKind::None; }
  BaseKind base() const { return Kind; }
  unsigned paramIndex() const { return Index; }
  const clang::ValueDecl *variable() const { return Var; }
  llvm::ArrayRef<const clang::FieldDecl *> fields() const { return Fields; }
  /// Whether \p Prefix is this path or a path this one extends.
  bool startsWith(const AccessPath &Prefix) const;
  /// The fields after \p Prefix (which this path must start with).
  llvm::ArrayRef<const clang::FieldDecl *>
  fieldsAfter(const AccessPath &Prefix) const;

  /// The declaration that names the object in messages: the last field, or
  /// the variable. Null for a bare parameter or `this`.
  const clang::ValueDecl *leafDecl() const;

  bool operator==(const AccessPath &Other) const {
    return Kind == Other.Kind && Index == Other.Index && Var == Other.Var &&
           Fields == Other.Fields;
  }
  bool operator!=(const AccessPath &Other) const { return !(*this == Other); }
  llvm::hash_code hash() const;
  std::string str() const;

private:
  BaseKind Kind = BaseKind::None;
  unsigned Index = 0;
  const clang::ValueDecl *Var = nullptr;
  llvm::SmallVector<const clang::FieldDecl *, 2> Fields;
};

/// The path of the object \p E denotes inside function \p F: `q`, `*p`,
/// `ctx.queue`, `this->q_`, `std::ref(q)`, `sp->`, `&q`, a local reference
/// or pointer initialised to another object. Invalid when \p E names no
/// object we can follow (a temporary, a call's result).
AccessPath pathOf(const clang::Expr *E, const clang::FunctionDecl *F);

/// What a callee's parameters and `this` stand for at one call, in the
/// caller's terms. An invalid entry is unknown.
struct CallBindings {
  llvm::SmallVector<AccessPath, 4> Params;
  AccessPath This;
  /// For a function object built at the spawn (`Worker{&q}`, `Worker(q)`):
  /// the expression that gave each field its value, in the caller.
  llvm::SmallVector<std::pair<const clang::FieldDecl *, const clang::Expr *>, 2>
      ThisFields;
  /// Likewise for a parameter given an aggregate built at the call
  /// (`index(State{queue, log})`): the parameter, a field, its value.
  struct ParamField {
    unsigned Param;
    const clang::FieldDecl *Field;
    const clang::Expr *Init;
  };
  llvm::SmallVector<ParamField, 2> ParamFields;
  /// Fields of `this` known as paths in the caller's terms: what a member
  /// that starts a thread stored from its arguments (`queue_ = q`).
  llvm::SmallVector<std::pair<const clang::FieldDecl *, AccessPath>, 2>
      ThisFieldPaths;
  const clang::FunctionDecl *Caller = nullptr;
};

/// The bindings of \p Callee's parameters at \p Call, made in \p Caller: a
/// plain call, a member call (`this` is the object), or a call operator
/// (the object is the first argument).
CallBindings bindingsAt(const clang::CallExpr *Call,
                        const clang::FunctionDecl *Callee,
                        const clang::FunctionDecl *Caller);

/// \p Inner, a path in the callee's terms, seen from the caller. Invalid
/// when it names something the caller cannot see (a local of the callee,
/// an unbound parameter).
AccessPath substitute(const AccessPath &Inner, const CallBindings &Bindings,
                      const clang::FunctionDecl *Callee);

/// Follows fields of local structs to the object they were made to refer to:
/// `ctx.queue` where `Ctx ctx{&q}` is `q`; `w.q_` where `Writer w(q)` stores
/// its argument in `q_`. \p Frame is the function the path is relative to.
AccessPath normalize(const AccessPath &Path, const clang::FunctionDecl *Frame);

/// Whether \p Var is declared inside \p F (a local or a parameter of it),
/// as opposed to a variable of an enclosing function that a lambda uses.
bool isLocalTo(const clang::ValueDecl *Var, const clang::FunctionDecl *F);

} // namespace fanout

namespace llvm {
template <> struct DenseMapInfo<fanout::AccessPath> {
  static fanout::AccessPath getEmptyKey() {
    return fanout::AccessPath::marker(
        DenseMapInfo<const clang::ValueDecl *>::getEmptyKey());
  }
  static fanout::AccessPath getTombstoneKey() {
    return fanout::AccessPath::marker(
        DenseMapInfo<const clang::ValueDecl *>::getTombstoneKey());
  }
  static unsigned getHashValue(const fanout::AccessPath &P) {
    return static_cast<unsigned>(P.hash());
  }
  static bool isEqual(const fanout::AccessPath &A,
                      const fanout::AccessPath &B) {
    return A == B;
  }
};
} // namespace llvm

#endif
