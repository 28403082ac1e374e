import Testing

@testable import HostsCore

@Suite struct UnifiedDiffTests {
    @Test func smallChangeGivesOneHunkWithContext() {
        let old = (1...10).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        let diff = UnifiedDiff.make(old: Array(old.utf8), new: Array(new.utf8), oldName: "a", newName: "b")
        #expect(
            diff == """
                --- a
                +++ b
                @@ -2,7 +2,7 @@
                 line 2
                 line 3
                 line 4
                -line 5
                +line five
                 line 6
                 line 7
                 line 8

                """)
    }

    @Test func equalInputsGiveNothingAndAdditionsAtTheEndAreCounted() {
        #expect(UnifiedDiff.make(old: Array("a\n".utf8), new: Array("a\n".utf8), oldName: "x", newName: "y") == "")
        let diff = UnifiedDiff.make(old: [], new: Array("a\nb\n".utf8), oldName: "x", newName: "y")
        #expect(diff == "--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n")
    }

    @Test func editScriptTransformsOldIntoNew() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let old = (0..<30).map { _ in String(Int.random(in: 0..<6, using: &generator)) }
            let new = (0..<30).map { _ in String(Int.random(in: 0..<6, using: &generator)) }
            let edits = UnifiedDiff.diff(old, new)
            let rebuiltOld = edits.compactMap { edit -> String? in
                switch edit {
                case .same(let line), .removed(let line): line
                case .added: nil
                }
            }
            let rebuiltNew = edits.compactMap { edit -> String? in
                switch edit {
                case .same(let line), .added(let line): line
                case .removed: nil
                }
            }
            #expect(rebuiltOld == old)
            #expect(rebuiltNew == new)
        }
    }
}
