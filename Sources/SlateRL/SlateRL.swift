import Slate

/// Namespace marker for the SlateRL showcase.
public enum SlateRLInfo {
    /// The engine version this showcase was built with.
    public static var engineVersion: String { Slate.version }
}
