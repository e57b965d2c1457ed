// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ProvenanceLog — tree heads of the provenance log, anchored on chain (seeds R5).
/// @notice Events live off chain in an append-only RFC 9162 Merkle log; the operator anchors
///         each sealed tree head `(treeSize, root)` here. The contract accepts a new head only
///         if the tree grew and a consistency proof shows the new tree extends the last one
///         (RFC 9162 §2.1.4), so the chain itself guarantees the log was only ever appended to.
///         `verifyInclusion` checks an inclusion proof (RFC 9162 §2.1.3) against an anchored
///         root, so other contracts can demand that a record they accept is in the log.
///         A root alone does not commit to its tree's size (the root of 7 leaves also verifies as
///         a tree of 8), so each head also comes with a size proof (`sizeBound`): for each perfect
///         subtree the size decomposes into, its leftmost leaf's data and the siblings up its left
///         spine. Then `rootOf(n)` is the root of exactly n leaves.
/// @dev Hashes: leaf = sha256(0x00 || data), node = sha256(0x01 || left || right) (RFC 9162
///      §2.1.1), computed with the sha256 precompile. No immutables (deployed code must equal
///      the artifact), hence `registry` is ordinary storage set once in the constructor.
contract ProvenanceLog {
    struct Checkpoint {
        uint64 treeSize;
        uint64 anchoredAt;
        bytes32 root;
    }

    ParticipantRegistry public registry;
    Checkpoint[] private _checkpoints;
    mapping(uint256 => bytes32) private _rootOfSize;

    error NotAuthorized(address account, ParticipantRegistry.Role role);
    error TreeNotGrowing(uint256 lastSize, uint256 newSize);
    error InconsistentTree(uint256 lastSize, uint256 newSize);
    error UnknownTreeSize(uint256 treeSize);
    error WrongTreeSize(uint256 treeSize);

    event CheckpointAnchored(uint256 indexed treeSize, bytes32 root, uint256 index, address by);

    constructor(ParticipantRegistry registry_) {
        registry = registry_;
    }

    /// @notice Anchor a tree head; `consistency` proves it extends the last anchored head
    ///         (empty for the first checkpoint); `leaves` and `spines` prove its size (`sizeBound`).
    function anchor(
        uint64 treeSize,
        bytes32 root,
        bytes32[] calldata consistency,
        bytes[] calldata leaves,
        bytes32[][] calldata spines
    ) external {
        if (!registry.hasRole(msg.sender, ParticipantRegistry.Role.OPERATOR)) {
            revert NotAuthorized(msg.sender, ParticipantRegistry.Role.OPERATOR);
        }
        uint256 n = _checkpoints.length;
        uint64 lastSize = n == 0 ? 0 : _checkpoints[n - 1].treeSize;
        if (treeSize <= lastSize) revert TreeNotGrowing(lastSize, treeSize);
        if (!sizeBound(treeSize, root, leaves, spines)) revert WrongTreeSize(treeSize);
        if (n > 0 && !consistent(lastSize, treeSize, _checkpoints[n - 1].root, root, consistency)) {
            revert InconsistentTree(lastSize, treeSize);
        }
        _checkpoints.push(Checkpoint(treeSize, uint64(block.timestamp), root));
        _rootOfSize[treeSize] = root;
        emit CheckpointAnchored(treeSize, root, n, msg.sender);
    }

    function checkpointCount() external view returns (uint256) {
        return _checkpoints.length;
    }

    function checkpointAt(uint256 index) external view returns (Checkpoint memory) {
        return _checkpoints[index];
    }

    function latest() external view returns (Checkpoint memory) {
        if (_checkpoints.length == 0) revert UnknownTreeSize(0);
        return _checkpoints[_checkpoints.length - 1];
    }

    /// @notice The root anchored for `treeSize`; reverts if no checkpoint has that size.
    function rootOf(uint256 treeSize) public view returns (bytes32) {
        bytes32 root = _rootOfSize[treeSize];
        if (root == bytes32(0)) revert UnknownTreeSize(treeSize);
        return root;
    }

    /// @notice True when `leafHash` is leaf `index` of the anchored tree of size `treeSize`.
    function verifyInclusion(bytes32 leafHash, uint256 index, uint256 treeSize, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return included(leafHash, index, treeSize, proof, rootOf(treeSize));
    }

    /// @notice Whether `root` is of a tree of exactly `treeSize` leaves. The tree is made of one perfect
    ///         subtree per set bit of `treeSize`, largest first; for each, `leaves[i]` is its leftmost
    ///         leaf's data (hashed here as a leaf, so it cannot stand for a node) and `spines[i]` the
    ///         right siblings up its left spine, exactly one per level. Folding the spines' tops
    ///         right to left (RFC 9162 §2.1.1) must give `root`.
    function sizeBound(uint256 treeSize, bytes32 root, bytes[] calldata leaves, bytes32[][] calldata spines)
        public
        pure
        returns (bool)
    {
        if (treeSize == 0 || treeSize >> 64 != 0 || leaves.length != spines.length) return false;
        bytes32[] memory tops = new bytes32[](leaves.length);
        uint256 t = 0;
        for (uint256 height = 64; height > 0; height--) {
            if ((treeSize >> (height - 1)) & 1 == 0) continue;
            if (t == leaves.length || spines[t].length != height - 1) return false;
            bytes32 h = sha256(abi.encodePacked(bytes1(0x00), leaves[t]));
            for (uint256 j = 0; j < height - 1; j++) {
                h = _node(h, spines[t][j]);
            }
            tops[t++] = h;
        }
        if (t != leaves.length) return false;
        bytes32 r = tops[t - 1];
        for (uint256 i = t - 1; i > 0; i--) {
            r = _node(tops[i - 1], r);
        }
        return r == root;
    }

    /// @notice RFC 9162 §2.1.3.2: verify an inclusion proof against `root`.
    function included(bytes32 leafHash, uint256 index, uint256 treeSize, bytes32[] calldata proof, bytes32 root)
        public
        pure
        returns (bool)
    {
        if (index >= treeSize) return false;
        uint256 fn = index;
        uint256 sn = treeSize - 1;
        bytes32 r = leafHash;
        for (uint256 i = 0; i < proof.length; i++) {
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                r = _node(proof[i], r);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = _node(r, proof[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == root;
    }

    /// @notice RFC 9162 §2.1.4.2: verify that the tree (second, secondRoot) extends
    ///         (first, firstRoot). Requires 0 < first < second.
    function consistent(uint256 first, uint256 second, bytes32 firstRoot, bytes32 secondRoot, bytes32[] calldata proof)
        public
        pure
        returns (bool)
    {
        if (first == 0 || first >= second || proof.length == 0) return false;
        bool exact = first & (first - 1) == 0; // first is a power of two: its root starts the path
        uint256 fn = first - 1;
        uint256 sn = second - 1;
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        bytes32 fr = exact ? firstRoot : proof[0];
        bytes32 sr = fr;
        for (uint256 i = exact ? 0 : 1; i < proof.length; i++) {
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                fr = _node(proof[i], fr);
                sr = _node(proof[i], sr);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = _node(sr, proof[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr == firstRoot && sr == secondRoot;
    }

    function _node(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }
}
