//===- Compat.h - The one place for LLVM/Clang version differences --------===//
//
// fanout-tidy builds against LLVM 19 and 22 from one tree. Every API or AST
// difference between the supported releases is absorbed here, so the rest of
// the code is written once.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_COMPAT_H
#define FANOUT_COMPAT_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Type.h"

namespace fanout::compat {

/// Strips type sugar that only records how a type was spelled. Clang 22 folded
/// ElaboratedType (the `ns::` in `ns::T`) into the types themselves; before
/// that it is a wrapper that hides the named type from isa<> checks.
inline clang::QualType withoutSpellingSugar(clang::QualType T) {
#if FANOUT_LLVM_MAJOR < 22
  while (const auto *Elaborated = T->getAs<clang::ElaboratedType>())
    T = Elaborated->getNamedType();
#endif
  return T;
}

/// The type a class declares (Clang 22 replaced getRecordType with tag
/// types that carry their keyword and qualifier).
inline clang::QualType recordType(const clang::ASTContext &Ctx,
                                  const clang::CXXRecordDecl *Record) {
#if FANOUT_LLVM_MAJOR >= 22
  return Ctx.getCanonicalTagType(Record);
#else
  return Ctx.getRecordType(Record);
#endif
}

} // namespace fanout::compat

#endif
