/** One image of a contact sheet: its pixels (height × width × channels) and caption lines. */
export interface SheetCell {
  pixels: Uint8Array;
  caption: string[];
}

/** What `skewbench preview` draws: sample images, then originals each followed by augmented copies. */
export interface ContactSheet {
  height: number;
  width: number;
  channels: number;
  sampleTitle: string;
  samples: SheetCell[];
  augmentTitle: string;
  augmentRows: SheetCell[][];
  copies: number;
}
