import Slate

/// Namespace marker for the SlateGraph showcase.
public enum SlateGraphInfo {
    /// The engine version this showcase was built with.
    public static var engineVersion: String { Slate.version }
}
